using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Workers;
using StackExchange.Redis;

namespace AspireJobs.Api.Workers;

/// <summary>
/// Drains workers, for the route and the dashboard alike: an active worker becomes draining in
/// PostgreSQL, then is told over Redis; it also reads its status with every metrics report.
/// </summary>
public sealed class WorkerDrainer(WorkerStore store, JobDispatcher dispatcher)
{
    /// <summary>The worker as it now is; null when there is no such worker.</summary>
    public async Task<WorkerInfo?> DrainAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await store.WorkerSetDrainingIfActiveAsync(id, cancellationToken))
        {
            try
            {
                await dispatcher.OrderAsync(WorkerOrder.Drain, id);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // The worker reads its status with its next metrics report.
            }
        }

        return await store.WorkerGetByIdAsync(id, cancellationToken);
    }
}
