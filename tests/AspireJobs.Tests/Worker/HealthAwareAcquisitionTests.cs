using System.Net;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Worker;

/// <summary>
/// A worker takes on jobs in proportion to the health score the monitor gives it (a quarter of
/// its slots at worst), and takes up the rest as soon as its score comes back, without waiting
/// for one of its jobs to end. A real worker process, its score set on its row as the monitor
/// would set it.
/// </summary>
public sealed class HealthAwareAcquisitionTests(TestServers servers) : IAsyncLifetime
{
    private const int Slots = 8;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task AWorkerScoredDown_TakesAQuarterOfItsSlots_AndTheRestOnceItsScoreComesBack()
    {
        await _system.StartWorkerAsync(new Dictionary<string, string?>
        {
            ["Worker__Concurrency"] = Slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Worker__HeartbeatInterval"] = "00:00:00.250",
        });
        await _system.WaitUntilAsync(async () => await _system.Database.ScalarAsync<long>("SELECT count(*) FROM workers WHERE status = 'active'") == 1, Patience, "the worker registered");
        await SetScoreAndWaitForTwoBeatsAsync(0);

        using var http = _system.Api();
        await http.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 3 * Slots).Select(_ => new { type = "sleep", payload = new { ms = 120_000 } }) }, HttpStatusCode.Created);
        await _system.WaitUntilAsync(async () => await RunningAsync() == Slots / 4, Patience, "a quarter of the slots running");
        await Task.Delay(TimeSpan.FromSeconds(1), Token); // several beats: no more are taken while the score stays down
        Assert.Equal(Slots / 4, await RunningAsync());

        await _system.Database.ExecuteAsync("UPDATE workers SET health_score = 1");

        // The sleeps last two minutes: only the better score can free the other slots in time.
        await _system.WaitUntilAsync(async () => await RunningAsync() == Slots, Patience, "every slot running once the score came back");
    }

    private Task<long> RunningAsync() => _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'running'");

    private async Task SetScoreAndWaitForTwoBeatsAsync(double score)
    {
        await _system.Database.ExecuteAsync("UPDATE workers SET health_score = $1", (float)score);
        var set = await _system.Database.ScalarAsync<DateTime>("SELECT now()");
        await _system.WaitUntilAsync(
            async () => await _system.Database.ScalarAsync<long>("SELECT count(*) FROM workers WHERE last_heartbeat_at > $1 + interval '300 milliseconds'", set) == 1,
            Patience, "two heartbeats after the score was set");
    }
}
