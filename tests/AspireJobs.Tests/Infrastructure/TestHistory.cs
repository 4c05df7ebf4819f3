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
        List<Guid> ids = [.. requests.Select(request => request.Id)];
        var finished = await store.JobFinishIfRunningAsync(WholeAttempts(ids), cancellationToken);
        Assert.Equal(count, finished.Finished.Count);
        return ids;
    }

    /// <summary>A first attempt of each queued job, run from start to success by one worker on a lease of its own, its start not yet written.</summary>
    public static List<JobFinish> WholeAttempts(IReadOnlyList<Guid> jobIds)
    {
        var workerId = Guid.NewGuid();
        return [.. jobIds.Select(id =>
        {
            var lease = Guid.NewGuid();
            var start = new JobStart(id, workerId, JobStoreStarts.NextFence(), 1, lease, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30));
            return JobFinish.Completed(id, lease, null) with { Start = start };
        })];
    }
}
