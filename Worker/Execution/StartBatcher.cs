using AspireJobs.Core.Jobs;
using AspireJobs.Core.Storage;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// Writes the starts of jobs that outlived the start window (<see cref="WorkerOptions.StartWindow"/>),
/// in group commits, so <c>GET /api/jobs/{id}</c>, the dashboard and the rescuers see them
/// running. Each answer says whether the start was written: false when the job was cancelled
/// meanwhile or its lease was lost, and it must not run on.
/// </summary>
public sealed class StartBatcher : IAsyncDisposable
{
    private readonly GroupCommit<JobStart, bool> _commit;

    public StartBatcher(JobStore store) =>
        _commit = new GroupCommit<JobStart, bool>(FinishBatcher.MaxBatch, async starts =>
        {
            var started = await store.JobSetRunningIfQueuedAsync(starts, CancellationToken.None);
            // By lease token, not job id: of two starts of one job in a batch, only one is written.
            return starts.Select(start => started.Contains(start.LeaseToken)).ToList();
        }, "The worker is shutting down; the start was not recorded.");

    public Task<bool> StartAsync(JobStart start) => _commit.WriteAsync(start);

    public ValueTask DisposeAsync() => _commit.DisposeAsync();
}
