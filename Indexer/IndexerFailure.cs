using AspireJobs.Core.Outages;
using Grpc.Core;

namespace AspireJobs.Indexer;

/// <summary>
/// Which failures of a step the indexer waits out: a server away for a moment (PostgreSQL
/// restarting or out of connections, as <see cref="ServerOutage"/> reads it; Qdrant unreachable,
/// overloaded or slow). Anything else (a missing table, a refused password, a collection of
/// another size, a malformed request) would fail the same way at every try, so it stops the
/// indexer instead, to be seen and restarted, rather than hide behind a warning every few seconds.
/// </summary>
public static class IndexerFailure
{
    /// <summary>Whether trying the step again later may succeed.</summary>
    public static bool IsPassing(Exception exception) => exception switch
    {
        RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted } => true,
        RpcException => false,
        TimeoutException or HttpRequestException => true,
        _ => ServerOutage.Of(exception) is not null,
    };
}
