using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Workers;

namespace AspireJobs.Api.Workers;

/// <summary>
/// Drains workers, for the route and the dashboard alike: an active worker becomes draining in
/// PostgreSQL, then is told over Redis; it also reads its status with every metrics report.
/// </summary>
public sealed class WorkerDrainer(WorkerStore store, JobDispatcher dispatcher, RedisFollowUp followUp)
{
    /// <summary>The worker as it now is; null when there is no such worker.</summary>
    public async Task<WorkerInfo?> DrainAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await store.WorkerSetDrainingIfActiveAsync(id, byMonitor: false, cancellationToken))
        {
            await followUp.TryAsync(() => dispatcher.OrderAsync(WorkerOrder.Drain, id), $"the drain order to worker {id}");
        }

        return await store.WorkerGetByIdAsync(id, cancellationToken);
    }
}
