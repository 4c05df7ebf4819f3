using AspireJobs.Core.Dispatch;
using Npgsql;

namespace AspireJobs.Core.Outages;

/// <summary>
/// A failure that says a server is away for a moment (restarting, failing over, out of
/// connections), not that the call was wrong: what a worker waits out as it starts, and what the
/// Api answers with 503 rather than 500. Redis unreachable (<see cref="RedisFailure.IsUnreachable"/>),
/// or PostgreSQL failing in a way Npgsql calls transient, the failure itself or one it wraps. Not a
/// refused password, a missing database or a script's error (no wait mends those), nor a
/// cancellation a caller asked for.
/// </summary>
public readonly record struct ServerOutage(string Server, string Reason)
{
    /// <summary>
    /// The outage <paramref name="exception"/> reports, or null. A socket error or timeout that
    /// Npgsql has not wrapped is taken for Redis's: on the paths that ask, no other server is called.
    /// </summary>
    public static ServerOutage? Of(Exception exception) => exception switch
    {
        // First: the arms below follow one inner exception, which may be a lost connection beside the refusal.
        _ when RedisFailure.IsRefused(exception) => null,
        OperationCanceledException { CancellationToken.IsCancellationRequested: true } => null,
        _ when RedisFailure.IsUnreachable(exception) => new ServerOutage("Redis", RedisFailure.Describe(exception)),
        NpgsqlException { IsTransient: true } => new ServerOutage("PostgreSQL", exception.InnerException is { } cause ? $"{exception.Message} ({cause.Message})" : exception.Message),
        { InnerException: { } inner } => Of(inner),
        _ => null,
    };
}
