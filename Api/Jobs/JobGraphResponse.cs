using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workflows;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// A page of a job's graph (<c>GET /api/jobs/{id}/graph</c>): the job, then its ancestors and
/// its descendants, nearest first, each with its status and effective priority and the length of
/// its shortest path (<c>depth</c>); <c>nextCursor</c> is null on the last page.
/// </summary>
public sealed record JobGraphResponse(
    JobGraphNodeResponse Job,
    IReadOnlyList<JobGraphNodeResponse> Ancestors,
    IReadOnlyList<JobGraphNodeResponse> Descendants,
    string? NextCursor)
{
    public static JobGraphResponse From(JobGraphPage page) => new(
        new JobGraphNodeResponse(page.Job.Id, page.Job.Type, page.Job.Status, page.Job.Priority, page.Job.EffectivePriority, 0, page.Job.DependsOn),
        page.Nodes.Where(node => node.Relation == JobRelation.Ancestor).Select(JobGraphNodeResponse.From).ToList(),
        page.Nodes.Where(node => node.Relation == JobRelation.Descendant).Select(JobGraphNodeResponse.From).ToList(),
        page.Next?.ToString());
}

/// <summary>One job of a graph.</summary>
public sealed record JobGraphNodeResponse(Guid Id, string Type, JobStatus Status, int Priority, int EffectivePriority, int Depth, IReadOnlyList<Guid> DependsOn)
{
    public static JobGraphNodeResponse From(JobGraphNode node) =>
        new(node.Id, node.Type, node.Status, node.Priority, node.EffectivePriority, node.Depth, node.DependsOn);
}
