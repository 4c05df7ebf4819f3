using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Outages;
using AspireJobs.ServiceDefaults;
using AspireJobs.Tests.Infrastructure;
using StackExchange.Redis;

namespace AspireJobs.Tests.Core.Dispatch;

/// <summary>
/// <see cref="RedisFailure"/> against the real Redis: a wrong password, through a client tuned and
/// connected as the services' are (it keeps reconnecting rather than failing its first call).
/// Once Redis has refused the password, every try of a script call must read as a refusal, which
/// no wait mends, never as an outage. StackExchange.Redis 2.13 reports it here as a
/// command that timed out waiting for a connection, marked AuthenticationFailure; the "no
/// connection" shape it can also build is held in <see cref="RedisFailureTests"/>.
/// </summary>
public sealed class RedisRefusalTests(TestServers servers)
{
    [Fact]
    public async Task AWrongPassword_IsARefusal_OnceRedisHasAnswered()
    {
        var refused = ConfigurationOptions.Parse(servers.Redis.ConnectionString);
        refused.Password = "not-the-password";
        var options = RedisClient.Parse(refused.ToString(includePassword: true), "redis");
        // A command waits this long for a connection before it fails (5 s by default).
        (options.SyncTimeout, options.AsyncTimeout) = (1_000, 1_000);
        // Connected as Aspire's client integration connects: synchronously, which records its own failure too.
        await using var redis = ConnectionMultiplexer.Connect(options);

        // On a busy machine the first tries may fail before Redis has answered the password (the
        // client still connecting): those are Redis away. Once it has refused, every try must read
        // as a refusal, which no wait mends.
        var refusals = 0;
        for (var attempt = 1; attempt <= 40 && refusals < 3; attempt++)
        {
            var thrown = await Assert.ThrowsAnyAsync<Exception>(() => redis.GetDatabase().ScriptEvaluateAsync("return 1"));

            if (RedisFailure.IsRefused(thrown))
            {
                Assert.False(RedisFailure.IsUnreachable(thrown), $"try {attempt}: {Shape(thrown)}");
                Assert.Null(ServerOutage.Of(thrown));
                refusals++;
            }
            else
            {
                Assert.True(refusals == 0, $"try {attempt}, after a refusal: {Shape(thrown)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
        }

        Assert.Equal(3, refusals);
    }

    private static string Shape(Exception exception) => exception switch
    {
        AggregateException aggregate => $"AggregateException[{string.Join(", ", aggregate.InnerExceptions.Select(Shape))}]",
        RedisConnectionException connection => $"RedisConnectionException({connection.FailureType}: {connection.Message})"
            + (connection.InnerException is { } inner ? " <- " + Shape(inner) : ""),
        _ => $"{exception.GetType().Name}({exception.Message})" + (exception.InnerException is { } cause ? " <- " + Shape(cause) : ""),
    };
}
