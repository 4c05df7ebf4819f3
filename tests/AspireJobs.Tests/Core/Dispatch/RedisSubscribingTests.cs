using AspireJobs.Core.Dispatch;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace AspireJobs.Tests.Core.Dispatch;

/// <summary>
/// A subscription made while Redis is away, against a real Redis stopped and started again: pins
/// the Redis client's behaviour that <see cref="RedisSubscribing"/> relies on (it keeps the handler
/// and subscribes again on reconnect, once).
/// </summary>
public sealed class RedisSubscribingTests(TestServers servers)
{
    [Fact]
    public async Task ASubscriptionMadeWhileRedisIsAway_IsLate_AndTakesMessagesOnceRedisIsBack()
    {
        var redis = await servers.StartOwnRedisAsync();
        redis.Signal(PosixSignals.SIGKILL);
        await redis.DisposeAsync();
        await using var subscriber = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",abortConnect=false");
        var channel = RedisChannel.Literal("orders");
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var deliveries = new System.Collections.Concurrent.ConcurrentQueue<string>();

        var subscribed = await RedisSubscribing.NowOrOnReconnectAsync(
            () => subscriber.GetSubscriber().SubscribeAsync(channel, (_, message) =>
            {
                deliveries.Enqueue(message!);
                received.TrySetResult(message!);
            }),
            "orders", NullLogger.Instance);

        Assert.False(subscribed);
        await using var restarted = await servers.RestartOwnRedisAsync(redis);
        await using var publisher = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        // The client subscribes again once it has reconnected, at a moment of its own: publish until then.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!received.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            await publisher.GetSubscriber().PublishAsync(channel, "drain");
            await Task.WhenAny(received.Task, Task.Delay(100, TestContext.Current.CancellationToken));
        }

        Assert.True(received.Task.IsCompleted, "The late subscription took no message within 60 s of Redis's return.");
        Assert.Equal("drain", await received.Task);

        // Once live, each message is delivered once: the handler is registered once. Messages on
        // one connection arrive in order, so "second" has come as often as it will once "third" has.
        await publisher.GetSubscriber().PublishAsync(channel, "second");
        await publisher.GetSubscriber().PublishAsync(channel, "third");
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!deliveries.Contains("third") && DateTime.UtcNow < until)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, deliveries.Count(message => message == "second"));
    }
}
