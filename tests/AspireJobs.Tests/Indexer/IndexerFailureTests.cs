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
    [InlineData(StatusCode.InvalidArgument, false)] // a vector of another size than the collection's
    [InlineData(StatusCode.PermissionDenied, false)]
    [InlineData(StatusCode.NotFound, false)] // the store makes a missing collection again; a second miss is for good
    public void QdrantFailures_ArePassing_OnlyWhenTheServerIsAwayOrBusy(StatusCode status, bool passing) =>
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
