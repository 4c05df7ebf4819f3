using AspireJobs.Core.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AspireJobs.Api.Queues;

/// <summary>How many jobs are in each state, queued ones by band.</summary>
public static class QueuesApi
{
    public static IEndpointRouteBuilder MapQueues(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/queues").WithTags("Queues").MapGet("/", GetCounts).WithName("GetQueueCounts")
            .WithSummary("Count jobs per state, queued ones per band")
            .WithDescription("Kept counts: as cheap with ten million jobs as with ten, and exact at once.");
        return app;
    }

    private static async Task<Ok<QueueCountsResponse>> GetCounts(JobStore store, CancellationToken cancellationToken)
    {
        var counts = await store.JobCountByStateAsync(cancellationToken);
        return TypedResults.Ok(new QueueCountsResponse(
            new BandCounts(counts.QueuedHigh, counts.QueuedMedium, counts.QueuedLow),
            counts.Scheduled, counts.Waiting, counts.Running, counts.Completed, counts.DeadLettered, counts.Cancelled));
    }
}

/// <summary>The contract's queue counts.</summary>
public sealed record QueueCountsResponse(BandCounts Queued, long Scheduled, long Waiting, long Running, long Completed, long DeadLettered, long Cancelled);

public sealed record BandCounts(long High, long Medium, long Low);
