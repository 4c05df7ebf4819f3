using AspireJobs.Api.Access;
using AspireJobs.Api.Http;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Workers;
using Microsoft.AspNetCore.Http.HttpResults;
using StackExchange.Redis;

namespace AspireJobs.Api.Workers;

/// <summary>The worker fleet: who is there, and draining one.</summary>
public static class WorkersApi
{
    private const int ListLimit = 500;

    public static IEndpointRouteBuilder MapWorkers(this IEndpointRouteBuilder app)
    {
        var workers = app.MapGroup("/api/workers").WithTags("Workers");
        workers.MapGet("/", ListWorkers).WithName("ListWorkers").WithSummary("List workers, live ones first");
        workers.MapPost("/{id:guid}/drain", DrainWorker).WithName("DrainWorker")
            .WithSummary("Drain a worker")
            .WithDescription("It takes no new jobs and finishes those it runs. 409 when it is dead or stopped.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(ApiScope.Admin);
        return app;
    }

    private static async Task<Ok<List<WorkerResponse>>> ListWorkers(WorkerStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.WorkerListAsync(ListLimit, cancellationToken)).Select(WorkerResponse.From).ToList());

    private static async Task<Results<Ok<WorkerResponse>, ProblemHttpResult>> DrainWorker(Guid id, WorkerDrainer drainer, CancellationToken cancellationToken) =>
        await drainer.DrainAsync(id, cancellationToken) switch
        {
            null => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such worker.", detail: $"There is no worker {id}."),
            { Status: WorkerStatus.Dead or WorkerStatus.Stopped } worker => Problems.Conflict("The worker is not running.", $"Worker {id} is {WorkerStatusText.Of(worker.Status)}; only a live worker can be drained."),
            var worker => TypedResults.Ok(WorkerResponse.From(worker)),
        };
}

/// <summary>A worker as the contract shows it.</summary>
public sealed record WorkerResponse(
    Guid Id,
    string Name,
    string Status,
    double? HealthScore,
    int Capacity,
    int CurrentLoad,
    DateTime LastHeartbeatAt,
    long JobsCompleted,
    long JobsFailed,
    string Host,
    int ProcessId,
    string Version,
    IReadOnlyList<string> JobTypes,
    DateTime StartedAt,
    DateTime? StoppedAt)
{
    public static WorkerResponse From(WorkerInfo worker) => new(
        worker.Id, worker.Name, WorkerStatusText.Of(worker.Status), worker.HealthScore, worker.Concurrency, worker.CurrentLoad,
        worker.LastHeartbeatAt.UtcDateTime, worker.JobsCompleted, worker.JobsFailed, worker.Host, worker.ProcessId, worker.Version,
        worker.JobTypes, worker.StartedAt.UtcDateTime, worker.StoppedAt?.UtcDateTime);
}
