using AspireJobs.Core.Jobs;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>Jobs created and run to completion, as a worker records short jobs: a history to read.</summary>
public static class TestHistory
{
    /// <summary>Creates <paramref name="count"/> jobs and records each one's attempt whole; returns their ids.</summary>
    public static async Task<IReadOnlyList<Guid>> CompletedJobsAsync(this JobStore store, int count, string type, CancellationToken cancellationToken)
    {
        var requests = Enumerable.Range(0, count).Select(_ => TestJobs.New(type: type)).ToList();
        await store.JobInsertBatchAsync(requests, cancellationToken);
        var workerId = Guid.NewGuid();
        var finishes = requests.Select(request =>
        {
            var lease = Guid.NewGuid();
            var start = new JobStart(request.Id, workerId, JobStoreStarts.NextFence(), 1, lease, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30));
            return JobFinish.Completed(request.Id, lease, null) with { Start = start };
        }).ToList();
        var finished = await store.JobFinishIfRunningAsync(finishes, cancellationToken);
        Assert.Equal(count, finished.Finished.Count);
        return [.. requests.Select(request => request.Id)];
    }
}
