using AspireJobs.Core.Dispatch;
using System.Net.Sockets;
using StackExchange.Redis;

namespace AspireJobs.Tests.Core.Dispatch;

/// <summary>Which failures of a Redis call the services survive, and which cancellations are a shutdown's to pass on.</summary>
public sealed class RedisFailureTests
{
    [Fact]
    public async Task ACommandCancelledByNoToken_IsARedisFailure()
    {
        // How StackExchange.Redis ends a command it dropped with its connection.
        var dropped = new TaskCompletionSource<RedisResult>();
        dropped.SetCanceled(CancellationToken.None);

        var thrown = await Assert.ThrowsAsync<TaskCanceledException>(() => dropped.Task);

        Assert.True(RedisFailure.Is(thrown));
        Assert.True(RedisFailure.IsCommandDropped(thrown));
        Assert.Contains("Redis dropped", RedisFailure.Describe(thrown), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWaitCancelledByAStoppingToken_IsNotARedisFailure()
    {
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();

        var thrown = await Assert.ThrowsAsync<TaskCanceledException>(() => Task.Delay(TimeSpan.FromSeconds(5), stopping.Token));

        Assert.False(RedisFailure.Is(thrown));
    }

    [Fact]
    public void ASocketErrorPassedOnUnwrapped_IsARedisFailure()
    {
        // What a heartbeat's script call threw when Redis was killed under it.
        var reset = new Pipelines.Sockets.Unofficial.ConnectionResetException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset));

        Assert.True(RedisFailure.Is(reset));
        Assert.True(RedisFailure.IsConnectionLost(reset));
        Assert.Equal("Redis connection lost: Connection reset by peer", RedisFailure.Describe(reset));
        Assert.True(RedisFailure.Is(new SocketException((int)SocketError.ConnectionRefused)));
    }

    [Fact]
    public void AnIOExceptionWithoutASocketUnderIt_IsNotARedisFailure()
    {
        // A missing file or assembly is a fault to see, not a connection to wait for.
        Assert.False(RedisFailure.Is(new FileNotFoundException("missing.dll")));
        Assert.False(RedisFailure.Is(new IOException("disk full")));
    }

    [Fact]
    public void RedisErrorsAndTimeouts_AreRedisFailures_OtherErrorsAreNot()
    {
        Assert.True(RedisFailure.Is(new RedisConnectionException(ConnectionFailureType.SocketClosed, "closed")));
        Assert.True(RedisFailure.Is(new RedisTimeoutException("slow", CommandStatus.Sent)));
        Assert.True(RedisFailure.Is(new TimeoutException()));
        Assert.False(RedisFailure.Is(new InvalidOperationException()));
        Assert.False(RedisFailure.IsCommandDropped(new RedisConnectionException(ConnectionFailureType.SocketClosed, "closed")));
        Assert.Equal("closed", RedisFailure.Describe(new RedisConnectionException(ConnectionFailureType.SocketClosed, "closed")));
    }

    [Fact]
    public void RedisUnreachable_IsNoConnectionATimeoutOrALostOne_NotAnErrorRedisAnsweredNorARefusedPassword()
    {
        Assert.True(RedisFailure.IsUnreachable(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "down")));
        Assert.True(RedisFailure.IsUnreachable(new RedisTimeoutException("slow", CommandStatus.WaitingInBacklog)));
        Assert.True(RedisFailure.IsUnreachable(new SocketException((int)SocketError.ConnectionReset)));
        Assert.False(RedisFailure.IsUnreachable(new RedisServerException("NOPERM this user has no permissions to access the channel")));
        Assert.False(RedisFailure.IsUnreachable(new RedisConnectionException(ConnectionFailureType.AuthenticationFailure, "AuthenticationFailure on 127.0.0.1:6379")));
        Assert.False(RedisFailure.IsUnreachable(new InvalidOperationException()));
    }

    [Fact]
    public void NoConnectionForWantOfAPassword_IsARefusal_NotAnOutage()
    {
        // How StackExchange.Redis answers a command it has no connection for: "no connection is
        // available", with the multiplexer's and the endpoint's last failures inside, one alone or
        // both together.
        var refusal = new RedisConnectionException(ConnectionFailureType.AuthenticationFailure, "AuthenticationFailure on 127.0.0.1:6379/Interactive");
        var noConnection = new RedisConnectionException(
            ConnectionFailureType.UnableToResolvePhysicalConnection, "No connection is active/available to service this operation: EVALSHA", refusal);
        var noConnectionEither = new RedisConnectionException(
            ConnectionFailureType.UnableToResolvePhysicalConnection, "No connection is active/available to service this operation: EVALSHA",
            new AggregateException(new RedisConnectionException(ConnectionFailureType.SocketFailure, "SocketFailure on 127.0.0.1:6379/Interactive"), refusal));

        Assert.True(RedisFailure.IsRefused(noConnection));
        Assert.False(RedisFailure.IsUnreachable(noConnection));
        Assert.True(RedisFailure.IsRefused(noConnectionEither));
        Assert.False(RedisFailure.IsUnreachable(noConnectionEither));
        // Without a refusal inside, no connection is Redis away.
        var away = new RedisConnectionException(ConnectionFailureType.UnableToResolvePhysicalConnection, "No connection is active/available to service this operation: EVALSHA",
            new AggregateException(new RedisConnectionException(ConnectionFailureType.SocketFailure, "SocketFailure on 127.0.0.1:6379/Interactive")));
        Assert.False(RedisFailure.IsRefused(away));
        Assert.True(RedisFailure.IsUnreachable(away));
    }
}
