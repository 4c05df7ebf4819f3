using System.Net;
using System.Net.Sockets;
using AspireJobs.Api;
using AspireJobs.Api.Access;
using AspireJobs.Api.Jobs;
using AspireJobs.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AspireJobs.Tests.Api;

/// <summary>The Api's rehearsal of the create path as it starts, against real PostgreSQL and Redis.</summary>
public sealed class CreatePathWarmUpTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheWarmUp_RunsItsRoundsBeforeTheApiReportsReady_AndLeavesNoJobBehind()
    {
        // A timeout a busy machine cannot reach, so the three rounds run whole.
        await using var api = _system.CreateApiHost([new("Api:WarmUpRounds", "3"), new("Api:WarmUpTimeout", "00:05:00")]);
        using var http = api.CreateClient().WithKey(ApiScope.Admin);

        await WaitUntilReadyAsync(api);

        // Ready: the rounds are done, and nothing of them stayed, in PostgreSQL or in Redis.
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
    public async Task AnApiWhosePostgreSqlRefusesConnections_StillStarts_AndReportsReady()
    {
        var nothingListens = new TcpListener(IPAddress.Loopback, 0);
        nothingListens.Start();
        var port = ((IPEndPoint)nothingListens.LocalEndpoint).Port;
        nothingListens.Stop();

        await using var api = await AssertServesAsync(port, "00:01:00");
        await WaitUntilReadyAsync(api);
    }

    [Fact]
    public async Task AnApiWhoseWarmUpIsHeld_ServesMeanwhile_ButIsNotReady()
    {
        // Takes connections and says nothing: the warm-up's first open waits, with a timeout it will not reach.
        await using var silent = SilentPostgres.Start();

        await using var api = await AssertServesAsync(silent.Port, "00:05:00");

        var report = await WarmUpHealthAsync(api);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Equal("The create path is being rehearsed.", report.Description);
    }

    [Fact]
    public async Task AnApiWhosePostgreSqlNeverAnswers_IsReadyOnceTheWarmUpTimesOut()
    {
        await using var silent = SilentPostgres.Start();

        await using var api = await AssertServesAsync(silent.Port, "00:00:00.500");
        await WaitUntilReadyAsync(api);
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
    /// an open that PostgreSQL never answers would wait out if it held the start.
    /// </summary>
    private async Task<WebApplicationFactory<ApiOptions>> AssertServesAsync(int port, string warmUpTimeout)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var api = _system.CreateApiHost(
        [
            new("Api:WarmUpRounds", "3"),
            new("Api:WarmUpTimeout", warmUpTimeout),
            new("ConnectionStrings:jobsdb", PostgresAt(port)),
        ]);
        try
        {
            using var http = api.CreateClient();

            using var alive = await http.GetAsync("/alive", Token);

            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
            Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
            return api;
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }
    }

    /// <summary>The warm-up's own readiness check, as <c>/health</c> runs it.</summary>
    private static async Task<HealthReportEntry> WarmUpHealthAsync(WebApplicationFactory<ApiOptions> api)
    {
        var report = await api.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(check => check.Name == CreatePathWarmUpHealthCheck.Name, Token);
        return report.Entries[CreatePathWarmUpHealthCheck.Name];
    }

    private static async Task WaitUntilReadyAsync(WebApplicationFactory<ApiOptions> api)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await WarmUpHealthAsync(api)).Status != HealthStatus.Healthy)
        {
            Assert.True(DateTime.UtcNow < deadline, "The warm-up did not end within 60 s.");
            await Task.Delay(50, Token);
        }
    }

    /// <summary>A listener that takes PostgreSQL's connections and never says a word.</summary>
    private sealed class SilentPostgres : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _accepted = [];
        private readonly CancellationTokenSource _stop = new();
        private Task _accepting = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static SilentPostgres Start()
        {
            var silent = new SilentPostgres();
            silent._listener.Start();
            silent._accepting = Task.Run(silent.AcceptAsync, CancellationToken.None);
            return silent;
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _accepting;
            }
            catch (OperationCanceledException)
            {
                // How the accept loop ends.
            }

            _listener.Stop();
            lock (_accepted)
            {
                _accepted.ForEach(socket => socket.Dispose());
            }

            _stop.Dispose();
        }
    }

    /// <summary>A connection string to whatever listens at <paramref name="port"/>, with a 60-s connect timeout.</summary>
    private static string PostgresAt(int port) => $"Host=127.0.0.1;Port={port};Username=nobody;Password=none;Database=none;Timeout=60";
}
