using System.Net;
using System.Net.Sockets;
using AspireJobs.Api.Access;
using AspireJobs.Api.Jobs;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Api;

/// <summary>The Api's rehearsal of the create path as it starts, against real PostgreSQL and Redis.</summary>
public sealed class CreatePathWarmUpTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheWarmUp_RunsItsRoundsAsTheApiStarts_AndLeavesNoJobBehind()
    {
        // A timeout a busy machine cannot reach, so the three rounds run whole.
        await using var api = _system.CreateApiHost([new("Api:WarmUpRounds", "3"), new("Api:WarmUpTimeout", "00:05:00")]);
        using var http = api.CreateClient().WithKey(ApiScope.Admin);

        // Started: the rounds are done, and nothing of them stayed, in PostgreSQL or in Redis.
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs"));
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM job_events"));
        Assert.Equal((0, 0, 0), await _system.Dispatcher.BandLengthsAsync());

        var job = await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created);

        // The rounds' inserts took event ids and rolled back: the first real job's event comes after them.
        Assert.Equal(3L * CreatePathWarmUp.RoundSize + 1, await _system.Database.ScalarAsync<long>(
            "SELECT id FROM job_events WHERE job_id = $1", job.Id()));
        Assert.Equal((0, 1, 0), await _system.Dispatcher.BandLengthsAsync());
    }

    [Fact]
    public async Task AnApiWhosePostgreSqlRefusesConnections_StillStarts()
    {
        var nothingListens = new TcpListener(IPAddress.Loopback, 0);
        nothingListens.Start();
        var port = ((IPEndPoint)nothingListens.LocalEndpoint).Port;
        nothingListens.Stop();

        await AssertStartsAsync(port, "00:01:00");
    }

    [Fact]
    public async Task AnApiWhosePostgreSqlNeverAnswers_StartsOnceTheWarmUpTimesOut()
    {
        // Takes connections and says nothing: the warm-up's first open waits until its timeout.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                accepted.Add(await silent.AcceptSocketAsync(stop.Token));
            }
        }, CancellationToken.None);

        try
        {
            await AssertStartsAsync(((IPEndPoint)silent.LocalEndpoint).Port, "00:00:00.500");
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);
            accepted.ForEach(socket => socket.Dispose());
        }
    }

    [Fact]
    public async Task AnApiStoppedDuringItsWarmUp_StopsCleanly()
    {
        // A PostgreSQL that takes the warm-up's connection and never answers holds the warm-up,
        // with a timeout it will not reach, until the stop.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var environment = _system.Environment(new Dictionary<string, string?>
        {
            ["ConnectionStrings__jobsdb"] = PostgresAt(((IPEndPoint)silent.LocalEndpoint).Port),
            ["Api__WarmUpTimeout"] = "00:05:00",
        });
        foreach (var (name, value) in TestApiKeys.Settings())
        {
            environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        await using var api = ServiceProcess.Launch("Api", environment);
        using var held = await silent.AcceptSocketAsync(Token);

        // SIGTERM, as the AppHost stops it: exit code 0, not a crash of a start cut short.
        Assert.Equal(0, await api.StopAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>
    /// Starts an Api whose PostgreSQL is at <paramref name="port"/>, with the warm-up on, and asks
    /// it whether it lives: well within the connect timeout given (60 s), which a warm-up held by
    /// an open that PostgreSQL never answers would wait out.
    /// </summary>
    private async Task AssertStartsAsync(int port, string warmUpTimeout)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var api = _system.CreateApiHost(
        [
            new("Api:WarmUpRounds", "3"),
            new("Api:WarmUpTimeout", warmUpTimeout),
            new("ConnectionStrings:jobsdb", PostgresAt(port)),
        ]);
        using var http = api.CreateClient();

        using var alive = await http.GetAsync("/alive", Token);

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
    }

    /// <summary>A connection string to whatever listens at <paramref name="port"/>, with a 60-s connect timeout.</summary>
    private static string PostgresAt(int port) => $"Host=127.0.0.1;Port={port};Username=nobody;Password=none;Database=none;Timeout=60";
}
