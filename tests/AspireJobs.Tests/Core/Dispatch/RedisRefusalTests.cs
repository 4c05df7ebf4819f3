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
    private const int Clients = 3;
    private const int TriesPerClient = 12;

    [Fact]
    public async Task AWrongPassword_IsARefusal_OnceRedisHasAnswered()
    {
        var refused = ConfigurationOptions.Parse(servers.Redis.ConnectionString);
        refused.Password = "not-the-password";
        var options = RedisClient.Parse(refused.ToString(includePassword: true), "redis");
        // A command waits this long for a connection before it fails (5 s by default).
        (options.SyncTimeout, options.AsyncTimeout) = (1_000, 1_000);

        // A client reports the first failure of a connection it never established for as long as
        // it lives (StackExchange.Redis 2.13). On a busy machine that first failure can be its
        // first connection round running out of time before Redis answered the password: that
        // client reads as Redis away for good, so a fresh one is tried.
        var seen = new List<string>();
        for (var client = 1; client <= Clients; client++)
        {
            if (await RefusalsSeenAsync(options, client, seen) == 3)
            {
                return;
            }
        }

        Assert.Fail($"No client of {Clients} saw Redis refuse the password; what each try read:\n{string.Join('\n', seen)}");
    }

    /// <summary>
    /// Tries a script call on a new client until 3 read as refusals. The first tries may fail
    /// before Redis has answered the password (the client still connecting): those are Redis
    /// away. Once it has refused, every try must read as a refusal, which no wait mends.
    /// </summary>
    private static async Task<int> RefusalsSeenAsync(ConfigurationOptions options, int client, List<string> seen)
    {
        // Connected as Aspire's client integration connects: synchronously, which records its own failure too.
        await using var redis = ConnectionMultiplexer.Connect(options);
        var refusals = 0;
        for (var attempt = 1; attempt <= TriesPerClient && refusals < 3; attempt++)
        {
            var thrown = await Assert.ThrowsAnyAsync<Exception>(() => redis.GetDatabase().ScriptEvaluateAsync("return 1"));
            seen.Add($"client {client}, try {attempt}: {Shape(thrown)}");

            if (RedisFailure.IsRefused(thrown))
            {
                Assert.False(RedisFailure.IsUnreachable(thrown), seen[^1]);
                Assert.Null(ServerOutage.Of(thrown));
                refusals++;
            }
            else
            {
                Assert.True(refusals == 0, $"after a refusal, {seen[^1]}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
        }

        return refusals;
    }

    private static string Shape(Exception exception) => exception switch
    {
        AggregateException aggregate => $"AggregateException[{string.Join(", ", aggregate.InnerExceptions.Select(Shape))}]",
        RedisConnectionException connection => $"RedisConnectionException({connection.FailureType}: {connection.Message})"
            + (connection.InnerException is { } inner ? " <- " + Shape(inner) : ""),
        _ => $"{exception.GetType().Name}({exception.Message})" + (exception.InnerException is { } cause ? " <- " + Shape(cause) : ""),
    };
}
