using Microsoft.Extensions.Logging;

namespace AspireJobs.Core.Dispatch;

/// <summary>
/// The step after a PostgreSQL commit: telling Redis. PostgreSQL has the decision, so a Redis
/// write that fails here changes no answer: it is logged, and what Redis missed is made good by
/// the reconciler (or the next heartbeat, report or acquisition). Every such step goes through
/// here, with this one policy.
/// </summary>
public sealed partial class RedisFollowUp(ILogger<RedisFollowUp> logger)
{
    /// <summary>Runs <paramref name="write"/>; false when Redis could not follow.</summary>
    /// <param name="what">What Redis was to be told, for the log.</param>
    public async Task<bool> TryAsync(Func<Task> write, string what)
    {
        try
        {
            await write();
            return true;
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            LogBehind(logger, what, RedisFailure.Describe(e));
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committed in PostgreSQL, but Redis could not follow: {What} ({Reason}); the reconciler will")]
    private static partial void LogBehind(ILogger logger, string what, string reason);
}
