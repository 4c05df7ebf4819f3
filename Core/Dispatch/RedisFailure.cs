using System.Net.Sockets;
using StackExchange.Redis;

namespace AspireJobs.Core.Dispatch;

/// <summary>
/// Which failures of a call to Redis a caller survives and tries again later: Redis's own errors
/// and timeouts, and a connection lost under the command. StackExchange.Redis does not always
/// wrap the last: at times it passes the socket's own error on (a reset connection), and it
/// cancels the commands still waiting on a connection that fails while it reconnects, though no
/// caller asked (no call here passes a token). Both were seen when Redis was killed, and each,
/// taken for an ordinary exception, stopped a worker's host.
/// </summary>
public static class RedisFailure
{
    public static bool Is(Exception exception) => exception is RedisException or TimeoutException || IsConnectionLost(exception);

    /// <summary>
    /// Redis could not be reached: no connection (or none in time), or a connection lost under the
    /// command; not an error Redis answered (a script's, a refused command's), nor a connection it
    /// refused (a wrong password), which trying again would not mend.
    /// </summary>
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        _ when IsRefused(exception) => false,
        RedisConnectionException or TimeoutException => true,
        _ => IsConnectionLost(exception),
    };

    /// <summary>
    /// Redis refused this client (a wrong password), as the failure itself or inside it: once its
    /// connection attempt has been refused, StackExchange.Redis answers a command with "no
    /// connection is available", the refusal among the exceptions within. StackExchange.Redis
    /// (2.13) reports the first failure of a connection it never established for the life of its
    /// multiplexer: a process once refused takes its later connection failures for refusals too,
    /// until it restarts; and one whose first connection round ran out of time before Redis
    /// answered the password (a busy machine) takes the refusal for Redis away.
    /// </summary>
    public static bool IsRefused(Exception exception) => exception switch
    {
        RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsRefused),
        { InnerException: { } inner } => IsRefused(inner),
        _ => false,
    };

    /// <summary>
    /// The connection failed under the command: a socket error passed on (bare, or inside an
    /// IOException; not any IOException, which would take in a missing file or assembly), or the
    /// command dropped.
    /// </summary>
    public static bool IsConnectionLost(Exception exception) => IsSocketError(exception) || IsCommandDropped(exception);

    /// <summary>
    /// What went wrong, for a log that may also speak of PostgreSQL (whose client wraps its own
    /// socket errors): a dropped command's own message says only that a task was canceled.
    /// </summary>
    public static string Describe(Exception exception) => exception switch
    {
        _ when IsCommandDropped(exception) => "Redis dropped the command with its connection",
        _ when IsSocketError(exception) => $"Redis connection lost: {exception.Message}",
        _ => exception.Message,
    };

    /// <summary>A command StackExchange.Redis dropped with its connection: cancelled, by no caller's token.</summary>
    public static bool IsCommandDropped(Exception exception) =>
        exception is TaskCanceledException { CancellationToken.IsCancellationRequested: false };

    private static bool IsSocketError(Exception exception) => exception is SocketException or IOException { InnerException: SocketException };
}
