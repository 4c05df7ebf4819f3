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
        await using var api = _system.CreateApiHost([new("Api:WarmUpRounds", "3")]);
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
    public async Task AnApiWhosePostgreSqlDoesNotAnswer_StillStarts()
    {
        var nothingListens = new TcpListener(IPAddress.Loopback, 0);
        nothingListens.Start();
        var port = ((IPEndPoint)nothingListens.LocalEndpoint).Port;
        nothingListens.Stop();
        await using var api = _system.CreateApiHost(
        [
            new("Api:WarmUpRounds", "3"),
            new("ConnectionStrings:jobsdb", $"Host=127.0.0.1;Port={port};Username=nobody;Password=none;Database=none;Timeout=2"),
        ]);
        using var http = api.CreateClient();

        using var alive = await http.GetAsync("/alive", Token);

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }
}
