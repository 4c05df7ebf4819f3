using System.Net.Sockets;
using AspireJobs.Indexer;
using Grpc.Core;
using Npgsql;

namespace AspireJobs.Tests.Indexer;

public sealed class IndexerFailureTests
{
    [Theory]
    [InlineData(StatusCode.Unavailable, true)]
    [InlineData(StatusCode.DeadlineExceeded, true)]
    [InlineData(StatusCode.ResourceExhausted, true)]
    [InlineData(StatusCode.Internal, true)] // Qdrant's own failures, and an HTTP/2 stream reset as it restarts
    [InlineData(StatusCode.Cancelled, true)] // a stream reset with CANCEL (the indexer's own stop is told apart before)
    [InlineData(StatusCode.FailedPrecondition, true)] // writes locked for a while
    [InlineData(StatusCode.Unauthenticated, false)] // a wrong key
    [InlineData(StatusCode.InvalidArgument, false)] // a vector of another size than the collection's
    [InlineData(StatusCode.PermissionDenied, false)]
    [InlineData(StatusCode.NotFound, false)] // the store makes a missing collection again; a second miss is for good
    public void QdrantFailures_ArePassing_UnlessTheyWouldRepeatAtEveryTry(StatusCode status, bool passing) =>
        Assert.Equal(passing, IndexerFailure.IsPassing(new RpcException(new Status(status, "qdrant"))));

    [Fact]
    public void PostgreSQLAway_IsPassing_AndAWrongCallIsNot()
    {
        Assert.True(IndexerFailure.IsPassing(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(IndexerFailure.IsPassing(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown)));
        Assert.True(IndexerFailure.IsPassing(new PostgresException("too many clients", "FATAL", "FATAL", PostgresErrorCodes.TooManyConnections)));
        Assert.True(IndexerFailure.IsPassing(new TimeoutException()));

        Assert.False(IndexerFailure.IsPassing(new PostgresException("relation does not exist", "ERROR", "ERROR", PostgresErrorCodes.UndefinedTable)));
        Assert.False(IndexerFailure.IsPassing(new PostgresException("permission denied", "ERROR", "ERROR", PostgresErrorCodes.InsufficientPrivilege)));
        Assert.False(IndexerFailure.IsPassing(new PostgresException("password authentication failed", "FATAL", "FATAL", PostgresErrorCodes.InvalidPassword)));
        Assert.False(IndexerFailure.IsPassing(new InvalidOperationException("a fault of this code")));
    }
}
