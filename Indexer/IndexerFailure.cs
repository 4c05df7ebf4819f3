using AspireJobs.Core.Outages;
using Grpc.Core;

namespace AspireJobs.Indexer;

/// <summary>
/// Which failures of a step the indexer waits out: a server away for a moment (PostgreSQL
/// restarting or out of connections, as <see cref="ServerOutage"/> reads it; Qdrant unreachable,
/// overloaded, slow, restarting mid-call or failing inside). What would fail the same way at every
/// try (a missing table, a refused password, a refused key, a vector of another size than the
/// collection's) stops the indexer instead, to be seen and restarted, rather than hide behind a
/// warning every few seconds. For Qdrant those are named and the rest waited out: a restart reaches
/// the client as Internal or Cancelled as often as Unavailable.
/// </summary>
public static class IndexerFailure
{
    /// <summary>Whether trying the step again later may succeed.</summary>
    public static bool IsPassing(Exception exception) => exception switch
    {
        RpcException
        {
            StatusCode: StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.AlreadyExists or StatusCode.PermissionDenied
                or StatusCode.Unauthenticated or StatusCode.Unimplemented or StatusCode.OutOfRange or StatusCode.DataLoss,
        } => false,
        RpcException => true,
        TimeoutException or HttpRequestException => true,
        _ => ServerOutage.Of(exception) is not null,
    };
}
