using AspireJobs.Core.Dispatch;
using StackExchange.Redis;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>Reads Redis's lease deadlines, which heartbeats move on.</summary>
public static class LeaseDeadlines
{
    /// <summary>A job's Redis lease deadline, in ms since the epoch; null when it has no lease.</summary>
    public static async Task<double?> LeaseDeadlineAsync(this JobDispatcher dispatcher, IConnectionMultiplexer redis, Guid jobId) =>
        await redis.GetDatabase().SortedSetScoreAsync(dispatcher.Keys.Leases, jobId.ToString());
}
