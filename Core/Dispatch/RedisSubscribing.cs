using Microsoft.Extensions.Logging;

namespace AspireJobs.Core.Dispatch;

/// <summary>
/// Subscribing while Redis is away. StackExchange.Redis (2.13) registers a handler before it sends
/// the SUBSCRIBE, keeps it when the send fails, and subscribes every handler it holds again each
/// time its subscription connection is established (RedisSubscribingTests pins this): a failed
/// subscription is only late. So it is logged, not retried (a retry would register the handler
/// twice), and not thrown, which would stop the service for a passing outage. An error Redis
/// answers (a refused SUBSCRIBE, a refused password) is thrown: no reconnect would mend it.
/// </summary>
public static partial class RedisSubscribing
{
    /// <summary>Runs <paramref name="subscribe"/>; false when Redis was away, and the subscription waits for it.</summary>
    /// <param name="what">The messages subscribed to, for the log.</param>
    public static async Task<bool> NowOrOnReconnectAsync(Func<Task> subscribe, string what, ILogger logger)
    {
        try
        {
            await subscribe();
            return true;
        }
        catch (Exception e) when (RedisFailure.IsUnreachable(e))
        {
            LogLate(logger, what, RedisFailure.Describe(e));
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not subscribed to {What} yet ({Reason}); the Redis client subscribes once it reconnects")]
    private static partial void LogLate(ILogger logger, string what, string reason);
}
