using StackExchange.Redis;

namespace AspireJobs.Core.Dispatch;

/// <summary>
/// Which failures of a call to Redis a caller survives and tries again later. Besides Redis's
/// own errors and timeouts, StackExchange.Redis cancels the commands still waiting on a
/// connection that fails while it reconnects (seen when Redis was killed): the task is cancelled
/// though no caller asked, since no call here passes a token. Taken for an ordinary exception,
/// that cancellation stopped a worker's host.
/// </summary>
public static class RedisFailure
{
    public static bool Is(Exception exception) => exception is RedisException or TimeoutException || IsCommandDropped(exception);

    /// <summary>What went wrong, for a log: a dropped command's own message says only that a task was canceled.</summary>
    public static string Describe(Exception exception) =>
        IsCommandDropped(exception) ? "Redis dropped the command with its connection" : exception.Message;

    /// <summary>A command StackExchange.Redis dropped with its connection: cancelled, by no caller's token.</summary>
    public static bool IsCommandDropped(Exception exception) =>
        exception is TaskCanceledException { CancellationToken.IsCancellationRequested: false };
}
