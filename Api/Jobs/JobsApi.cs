using System.Text.Json;
using AspireJobs.Api.Access;
using AspireJobs.Api.Http;
using AspireJobs.Api.OpenApi;
using AspireJobs.Core;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workflows;
using AspireJobs.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AspireJobs.Api.Jobs;

/// <summary>The job routes of the contract: create (one or a batch), read, list, attempts, cancel.</summary>
public static class JobsApi
{
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ApiOptions>(ApiOptions.Section);
        builder.AddJobsCore();
        builder.Services.AddSingleton(services => new JobRequestReader(services.GetRequiredService<IOptions<ApiOptions>>().Value));
        builder.Services.AddSingleton<JobPlanner>();
        builder.Services.AddSingleton<UnpushedJobs>();
        builder.Services.AddHostedService(services => services.GetRequiredService<UnpushedJobs>());
        builder.Services.AddSingleton<JobCreator>();
        builder.Services.AddSingleton<CreatePathWarmUp>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CreatePathWarmUp>());
        builder.Services.AddHealthChecks().AddCheck<CreatePathWarmUpHealthCheck>(CreatePathWarmUpHealthCheck.Name);
        builder.Services.AddSingleton<JobCanceller>();
        builder.Services.AddSingleton<DeadLetters.DeadLetterRequeuer>();
        builder.Services.AddSingleton<Workers.WorkerDrainer>();
        return builder;
    }

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs").WithTags("Jobs");
        var limits = app.ServiceProvider.GetRequiredService<IOptions<ApiOptions>>().Value;

        jobs.MapPost("/", CreateJob).WithMetadata(new RequestSizeLimitAttribute(limits.MaxSingleRequestBytes))
            .WithName("CreateJob").Accepts<JobRequestBody>("application/json")
            .WithSummary("Create a job")
            .WithDescription("201 with the job and its Location; 200 with the existing job when the idempotency key was used before. "
                + "400 lists every invalid field (and unknownIds for dependencies that do not exist); 409 names a cycle; 413 for a body over the limit.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .RequireScope(ApiScope.Write);
        jobs.MapPost("/batch", CreateJobs).WithMetadata(new RequestSizeLimitAttribute(limits.MaxBatchRequestBytes))
            .WithName("CreateJobs").Accepts<BatchRequestBody>("application/json")
            .WithSummary("Create up to 10,000 jobs atomically")
            .WithDescription("All or none. Jobs may depend on each other by ref, and on existing jobs by id; the ids come back in request order.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .RequireScope(ApiScope.Write);
        jobs.MapGet("/", ListJobs).WithName("ListJobs")
            .WithSummary("List jobs, newest first")
            .WithDescription("Filter by status and type; pages of at most limit (default 50, at most 1,000), fewer once their payloads and results pass Api:MaxPageBytes (16 MiB), follow nextCursor.");
        jobs.MapGet("/{id:guid}", GetJob).WithName("GetJob").WithSummary("Get a job");
        jobs.MapGet("/{id:guid}/executions", GetExecutions).WithName("GetJobExecutions").WithSummary("List a job's attempts, first to last");
        jobs.MapGet("/{id:guid}/graph", GetGraph).WithName("GetJobGraph")
            .WithSummary("Get a job's ancestors and descendants")
            .WithDescription("Each with its status, priority, effective priority, depth and dependsOn; in pages that follow nextCursor.")
            .LimitAsExpensive();
        jobs.MapPost("/{id:guid}/cancel", CancelJob).WithName("CancelJob")
            .WithSummary("Cancel a job")
            .WithDescription("A waiting, scheduled or queued job is cancelled at once (200); a running one is asked to stop (202). 409 once it has finished.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(ApiScope.Write);
        jobs.MapPatch("/{id:guid}", ChangePriority).WithName("ChangePriority").Accepts<PriorityChangeBody>("application/json")
            .WithSummary("Change a job's priority")
            .WithDescription("Jobs it depends on are raised with it (priority inheritance). 409 once it has finished.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(ApiScope.Write);

        return app;
    }

    private static async Task<Results<Created<JobResponse>, Ok<JobResponse>, ValidationProblem, ProblemHttpResult>> CreateJob(
        HttpRequest request, JobRequestReader reader, JobPlanner planner, JobCreator creator, IOptions<ApiOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (document, problem) = await RequestBody.ReadJsonAsync(request, options.Value.MaxSingleRequestBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using var body = document!;
        var read = reader.Read(body.RootElement, clock.GetUtcNow());
        if (read.Job is not { } jobRequest)
        {
            return read.PayloadTooLarge ? Problems.TooLarge(read.Errors) : TypedResults.ValidationProblem(read.Errors);
        }

        var plan = await planner.PlanAsync([jobRequest], inBatch: false, cancellationToken);
        if (PlanProblem(plan, "dependsOn") is { } planProblem)
        {
            return planProblem.Result is ValidationProblem invalid ? invalid : (ProblemHttpResult)planProblem.Result;
        }

        try
        {
            var created = await creator.CreateAsync(plan.Jobs![0], cancellationToken);
            var response = JobResponse.From(created.Job);
            return created.Created ? TypedResults.Created($"/api/jobs/{response.Id}", response) : TypedResults.Ok(response);
        }
        catch (UnknownDependencyException e)
        {
            return Problems.UnknownJobs("dependsOn", e.DependsOn); // removed between the check and the insert
        }
    }

    private static async Task<Results<Created<BatchResponse>, ValidationProblem, ProblemHttpResult>> CreateJobs(
        HttpRequest request, JobRequestReader reader, JobPlanner planner, JobCreator creator, IOptions<ApiOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (requests, problem) = await ReadBatchAsync(request, reader, options.Value, clock.GetUtcNow(), cancellationToken);
        if (problem is not null)
        {
            return problem.Result is ValidationProblem invalid ? invalid : (ProblemHttpResult)problem.Result;
        }

        var plan = await planner.PlanAsync(requests, inBatch: true, cancellationToken);
        if (PlanProblem(plan, "jobs") is { } planProblem)
        {
            return planProblem.Result is ValidationProblem invalid ? invalid : (ProblemHttpResult)planProblem.Result;
        }

        try
        {
            var ids = await creator.CreateBatchAsync(plan.Jobs!, cancellationToken);
            return TypedResults.Created((string?)null, new BatchResponse(ids));
        }
        catch (UnknownDependencyException e)
        {
            return Problems.UnknownJobs("jobs", e.DependsOn);
        }
    }

    /// <summary>
    /// Reads a batch request's body, <c>{ "jobs": [...] }</c>, into its job requests; or, with none,
    /// the problem that answers it: a body that is not JSON or too large, or every invalid field of
    /// every job named.
    /// </summary>
    internal static async Task<(List<JobRequest> Requests, Results<ValidationProblem, ProblemHttpResult>? Problem)> ReadBatchAsync(
        HttpRequest request, JobRequestReader reader, ApiOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (document, problem) = await RequestBody.ReadJsonAsync(request, options.MaxBatchRequestBytes, cancellationToken);
        if (problem is not null)
        {
            return ([], problem);
        }

        using var body = document!;
        return ReadBatch(body.RootElement, reader, options.MaxBatchSize, now);
    }

    private static (List<JobRequest> Requests, Results<ValidationProblem, ProblemHttpResult>? Problem) ReadBatch(
        JsonElement root, JobRequestReader reader, int maxBatchSize, DateTimeOffset now)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("jobs", out var list)
            || list.ValueKind != JsonValueKind.Array
            || list.GetArrayLength() is 0 || list.GetArrayLength() > maxBatchSize)
        {
            return ([], Problems.Invalid("jobs", $"The body must be {{ \"jobs\": [...] }} with 1 to {maxBatchSize} job requests."));
        }

        var requests = new List<JobRequest>(list.GetArrayLength());
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var tooLarge = false;
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var read = reader.Read(item, now, $"jobs[{index++}].", inBatch: true);
            if (read.Job is { } job)
            {
                requests.Add(job);
            }
            else
            {
                tooLarge |= read.PayloadTooLarge;
                foreach (var (field, messages) in read.Errors)
                {
                    errors[field] = messages;
                }
            }
        }

        return errors.Count == 0 ? (requests, null)
            : ([], tooLarge ? Problems.TooLarge(errors) : TypedResults.ValidationProblem(errors));
    }

    /// <summary>Why a plan creates nothing, as the problem to answer; null when it is ready.</summary>
    private static Results<ValidationProblem, ProblemHttpResult>? PlanProblem(JobPlan plan, string unknownField) => plan switch
    {
        { Errors: { } errors } => TypedResults.ValidationProblem(errors),
        { Unknown: { } unknown } => Problems.UnknownJobs(unknownField, unknown),
        { Cycle: { } cycle } => Problems.Cycle(cycle),
        _ => null,
    };

    /// <summary><c>PATCH /api/jobs/{id}</c> <c>{ "priority": n }</c>: a job not yet finished runs at its new priority, and so do the jobs it lifts.</summary>
    private static async Task<Results<Ok<JobResponse>, ValidationProblem, ProblemHttpResult>> ChangePriority(
        Guid id, HttpRequest request, JobStore store, JobDispatcher dispatcher, RedisFollowUp followUp, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var (document, problem) = await RequestBody.ReadJsonAsync(request, options.Value.MaxSingleRequestBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using var body = document!;
        if (body.RootElement.ValueKind != JsonValueKind.Object
            || !body.RootElement.TryGetProperty("priority", out var priority)
            || priority.ValueKind != JsonValueKind.Number
            || !priority.TryGetInt32(out var value)
            || value is < JobLimits.MinPriority or > JobLimits.MaxPriority)
        {
            return Problems.Invalid("priority", $"The body must be {{ \"priority\": n }} with n an integer from {JobLimits.MinPriority} to {JobLimits.MaxPriority}.");
        }

        if (await store.JobSetPriorityIfUnfinishedAsync(id, value, cancellationToken) is { } moved)
        {
            await followUp.TryAsync(() => dispatcher.ApplyAsync(moved), $"the band moves of job {id}'s new priority");

            return TypedResults.Ok(JobResponse.From((await store.JobGetByIdAsync(id, cancellationToken))!));
        }

        return await store.JobGetByIdAsync(id, cancellationToken) is { } job
            ? Problems.Conflict("The job has already finished.", $"Job {id} is {JobStatusText.Of(job.Status)}; only the priority of a job not yet finished can change.")
            : Problems.JobNotFound(id);
    }

    private static async Task<Results<Ok<JobGraphResponse>, ValidationProblem, ProblemHttpResult>> GetGraph(
        Guid id, string? limit, string? cursor, JobStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var pageLimit = PageQuery.ReadLimit(limit, errors);
        var after = JobGraphCursor.Start;
        if (cursor is not null && !JobGraphCursor.TryParse(cursor, out after))
        {
            errors["cursor"] = ["The cursor must be the nextCursor of an earlier page of this graph."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await store.JobGetGraphAsync(id, after, pageLimit, cancellationToken) is { } page
            ? TypedResults.Ok(JobGraphResponse.From(page))
            : Problems.JobNotFound(id);
    }

    private static async Task<Results<Ok<Page<JobResponse>>, ValidationProblem>> ListJobs(
        string? status, string? type, string? limit, string? cursor, JobStore store, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        JobStatus? statusFilter = null;
        if (status is not null)
        {
            if (JobStatusText.TryParse(status, out var parsed))
            {
                statusFilter = parsed;
            }
            else
            {
                errors["status"] = [$"The status must be one of: {string.Join(", ", JobStatusText.All)}."];
            }
        }

        if (type is not null && !JobLimits.IsValidType(type))
        {
            errors["type"] = ["The type must be 1 to 200 characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'."];
        }

        var page = PageQuery.Read(limit, cursor, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var found = await store.JobListAsync(statusFilter, type, page.Cursor, page.Limit, options.Value.MaxPageBytes, cancellationToken);
        return TypedResults.Ok(new Page<JobResponse>(found.Items.Select(JobResponse.From).ToList(), found.NextCursor));
    }

    private static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> GetJob(
        Guid id, JobStore store, Memory.LikelyOutcomes likely, CancellationToken cancellationToken) =>
        await store.JobGetByIdAsync(id, cancellationToken) is { } job
            ? TypedResults.Ok(JobResponse.From(job) with { LikelyOutcome = await likely.ForAsync(job, cancellationToken) })
            : Problems.JobNotFound(id);

    private static async Task<Results<Ok<List<ExecutionResponse>>, ProblemHttpResult>> GetExecutions(Guid id, JobStore store, CancellationToken cancellationToken) =>
        await store.JobExecutionListAsync(id, cancellationToken) is { } executions
            ? TypedResults.Ok(executions.Select(ExecutionResponse.From).ToList())
            : Problems.JobNotFound(id);

    private static async Task<Results<Ok<JobResponse>, Accepted<JobResponse>, ProblemHttpResult>> CancelJob(
        Guid id, JobCanceller canceller, JobStore store, CancellationToken cancellationToken)
    {
        var result = await canceller.CancelAsync(id, cancellationToken);
        var job = await store.JobGetByIdAsync(id, cancellationToken);
        return (result, job) switch
        {
            (CancelResult.Cancelled, not null) => TypedResults.Ok(JobResponse.From(job)),
            (CancelResult.Requested, not null) => TypedResults.Accepted($"/api/jobs/{id}", JobResponse.From(job)),
            (CancelResult.AlreadyFinished, not null) => Problems.Conflict("The job has already finished.", $"Job {id} is {JobStatusText.Of(job.Status)}; only a waiting, scheduled, queued or running job can be cancelled."),
            (CancelResult.KeptMoving, not null) => TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The job kept changing state.",
                detail: $"Job {id} moved on at every try to cancel it; send the cancellation again."),
            _ => Problems.JobNotFound(id),
        };
    }
}

/// <summary>The answer to a batch create: every job's id, in request order.</summary>
public sealed record BatchResponse(IReadOnlyList<Guid> Ids);
