using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workflows;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Turns job requests into the jobs to create: each <c>dependsOn</c> entry resolved to a job of
/// the same batch (by its <c>ref</c>, or to the first job of the batch with the same
/// idempotency key) or an existing job (by its id, which must exist), the batch's own edges
/// checked for a cycle, and priorities inherited down the edges where a request gave none.
/// </summary>
public sealed class JobPlanner(JobStore store)
{
    public async Task<JobPlan> PlanAsync(IReadOnlyList<JobRequest> requests, bool inBatch, CancellationToken cancellationToken)
    {
        // Most creates name no parent and no ref: nothing to resolve, check, look up or order.
        if (requests.All(request => request.DependsOn.Count == 0 && request.Ref is null))
        {
            return JobPlan.Ready(requests.Select(request => request.ToNewJob(request.Priority ?? JobLimits.DefaultPriority, [])).ToList());
        }

        var count = requests.Count;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string Field(int i, string field) => inBatch ? $"jobs[{i}].{field}" : field;

        var byRef = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            if (requests[i].Ref is { } reference && !byRef.TryAdd(reference, i))
            {
                errors[Field(i, "ref")] = [$"The ref '{reference}' is already the ref of jobs[{byRef[reference]}]; refs must be unique in a batch."];
            }
        }

        // A job whose idempotency key an earlier job of the batch names is that earlier job, as
        // the insert keeps only the first: an edge to it is an edge to the first, and its own
        // edges are never made. The cycle check must see the graph so, or a repeat could close one.
        var firstOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var holder = new int[count];
        for (var i = 0; i < count; i++)
        {
            holder[i] = requests[i].IdempotencyKey is { } key && !firstOfKey.TryAdd(key, i) ? firstOfKey[key] : i;
        }

        var batchParents = new List<int>[count];
        var existingParents = new List<Guid>[count];
        for (var i = 0; i < count; i++)
        {
            batchParents[i] = [];
            existingParents[i] = [];
            foreach (var entry in requests[i].DependsOn)
            {
                if (byRef.TryGetValue(entry, out var parent))
                {
                    if (holder[i] == i)
                    {
                        batchParents[i].Add(holder[parent]);
                    }
                }
                else if (Guid.TryParse(entry, out var id))
                {
                    existingParents[i].Add(id);
                }
                else
                {
                    errors[Field(i, "dependsOn")] = [$"'{entry}' is neither a job id nor the ref of a job of this batch."];
                }
            }
        }

        if (errors.Count > 0)
        {
            return JobPlan.Invalid(errors);
        }

        var named = existingParents.SelectMany(ids => ids).Distinct().ToList();
        var existing = await store.JobGetPrioritiesAsync(named, cancellationToken);
        var unknown = named.Where(id => !existing.ContainsKey(id)).ToList();
        if (unknown.Count > 0)
        {
            return JobPlan.UnknownJobs(unknown);
        }

        if (BatchGraph.FindCycle(batchParents) is { } cycle)
        {
            return JobPlan.Cyclic(cycle.Select(i => requests[i].Ref ?? $"jobs[{i}]").ToList());
        }

        var priorities = BatchGraph.InheritPriorities(
            requests.Select(request => request.Priority).ToList(),
            batchParents,
            existingParents.Select(ids => ids.Count == 0 ? (int?)null : ids.Max(id => existing[id])).ToList(),
            JobLimits.DefaultPriority);

        var jobs = new NewJob[count];
        for (var i = 0; i < count; i++)
        {
            jobs[i] = requests[i].ToNewJob(priorities[i], [.. batchParents[i].Select(parent => requests[parent].Id), .. existingParents[i]]);
        }

        return JobPlan.Ready(jobs);
    }
}

/// <summary>The jobs to create, or why none can be: bad entries, unknown parents, or a cycle.</summary>
public sealed record JobPlan(
    IReadOnlyList<NewJob>? Jobs,
    IDictionary<string, string[]>? Errors,
    IReadOnlyList<Guid>? Unknown,
    IReadOnlyList<string>? Cycle)
{
    public static JobPlan Ready(IReadOnlyList<NewJob> jobs) => new(jobs, null, null, null);

    public static JobPlan Invalid(IDictionary<string, string[]> errors) => new(null, errors, null, null);

    public static JobPlan UnknownJobs(IReadOnlyList<Guid> ids) => new(null, null, ids, null);

    public static JobPlan Cyclic(IReadOnlyList<string> cycle) => new(null, null, null, cycle);
}
