using System.Net.Sockets;
using AspireJobs.Core.Outages;
using Npgsql;
using StackExchange.Redis;

namespace AspireJobs.Tests.Core.Outages;

/// <summary>Which failures name a server that is away for a moment, and which are faults no wait mends.</summary>
public sealed class ServerOutageTests
{
    [Fact]
    public void RedisUnreachable_IsAnOutageOfRedis_HoweverItIsThrown()
    {
        Assert.Equal("Redis", ServerOutage.Of(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "down"))?.Server);
        Assert.Equal("Redis", ServerOutage.Of(new RedisTimeoutException("slow", CommandStatus.WaitingInBacklog))?.Server);
        // StackExchange.Redis at times passes the socket's own error on, bare.
        Assert.Equal(
            new ServerOutage("Redis", "Redis connection lost: Connection reset by peer"),
            ServerOutage.Of(new SocketException((int)SocketError.ConnectionReset)));
        Assert.Equal("Redis", ServerOutage.Of(new InvalidOperationException("wrapped", new RedisConnectionException(ConnectionFailureType.SocketFailure, "lost")))?.Server);
    }

    [Fact]
    public void PostgresFailingTransiently_IsAnOutageOfPostgres_WithItsCause()
    {
        var refused = new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));

        Assert.Equal(new ServerOutage("PostgreSQL", "Failed to connect to 127.0.0.1:5432 (Connection refused)"), ServerOutage.Of(refused));
        Assert.Equal("PostgreSQL", ServerOutage.Of(new PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03"))?.Server);
        Assert.Equal("PostgreSQL", ServerOutage.Of(new AggregateException(refused))?.Server);
    }

    [Fact]
    public void ARefusedPasswordAMissingDatabaseOrAScriptError_IsNoOutage()
    {
        Assert.Null(ServerOutage.Of(new PostgresException("password authentication failed for user \"jobs\"", "FATAL", "FATAL", "28P01")));
        Assert.Null(ServerOutage.Of(new PostgresException("database \"jobs\" does not exist", "FATAL", "FATAL", "3D000")));
        // How StackExchange.Redis reports a wrong password: no connection, for want of authentication.
        Assert.Null(ServerOutage.Of(new RedisConnectionException(
            ConnectionFailureType.AuthenticationFailure,
            "The message timed out in the backlog attempting to send because no connection became available",
            new RedisConnectionException(ConnectionFailureType.AuthenticationFailure, "AuthenticationFailure on 127.0.0.1:6379", new InvalidOperationException("NOAUTH Authentication required.")))));
        Assert.Null(ServerOutage.Of(new RedisConnectionException(
            ConnectionFailureType.UnableToResolvePhysicalConnection,
            "No connection is active/available to service this operation: EVALSHA",
            new AggregateException(new RedisConnectionException(ConnectionFailureType.AuthenticationFailure, "AuthenticationFailure on 127.0.0.1:6379")))));
        Assert.Null(ServerOutage.Of(new RedisServerException("ERR user_script:1: Script attempted to access nonexistent global variable")));
        Assert.Null(ServerOutage.Of(new InvalidOperationException("a fault of this code")));
    }

    [Fact]
    public void ARefusedPasswordOverASocketError_IsStillNoOutage()
    {
        // A TLS handshake the server reset: refused first, whatever lies under it.
        Assert.Null(ServerOutage.Of(new RedisConnectionException(
            ConnectionFailureType.AuthenticationFailure, "AuthenticationFailure on 127.0.0.1:6379", new SocketException((int)SocketError.ConnectionReset))));
    }

    [Fact]
    public void ACancellationTheCallerAskedFor_IsNoOutage_EvenOverATimeout()
    {
        using var stopping = new CancellationTokenSource();
        stopping.Cancel();

        // How Npgsql ends a statement whose caller's token was cancelled.
        Assert.Null(ServerOutage.Of(new OperationCanceledException("Query was cancelled", new TimeoutException(), stopping.Token)));
        // A command StackExchange.Redis dropped with its connection is cancelled by no one's token.
        Assert.Equal("Redis", ServerOutage.Of(new TaskCanceledException())?.Server);
    }
}
