using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Health;
using AspireJobs.Core.Workers;
using AspireJobs.HealthMonitor;
using AspireJobs.HealthMonitor.Fleet;
using AspireJobs.HealthMonitor.Leadership;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.HealthMonitor;

/// <summary>The health sweep against real PostgreSQL and Redis, one pass at a time on a moved clock.</summary>
public sealed class HealthSweeperTests(TestServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestSystem _system = null!;
    private WorkerStore _workers = null!;
    private HealthSweeper _sweeper = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _system = await TestSystem.CreateAsync(servers);
        _workers = new WorkerStore(_system.Database.DataSource, _clock);
        _sweeper = NewSweeper();
    }

    /// <summary>A sweeper of its own: another leader, or the monitor restarted.</summary>
    private HealthSweeper NewSweeper()
    {
        var options = Options.Create(new HealthMonitorOptions());
        return new HealthSweeper(_workers, new HealthStore(_system.Database.DataSource), _system.Dispatcher, new RedisFollowUp(NullLogger<RedisFollowUp>.Instance), _clock, options,
            new LeaderElection(_system.Database.DataSource, options, NullLogger<LeaderElection>.Instance), NullLogger<HealthSweeper>.Instance);
    }

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    /// <summary>A report with half its window spent in garbage-collection pauses: a health score of 0.</summary>
    private static WorkerMetricsReport Failing() => new(0, 0, 0, 0, 0, new Dictionary<string, RunDurationStats>(), 50_000_000, 10, Window.TotalMilliseconds / 2, null, Window, Window);

    private static WorkerMetricsReport Healthy() => Failing() with { GcPauseMs = 0 };

    private async Task<Guid> RegisterAsync(string name)
    {
        var id = Guid.NewGuid();
        await _workers.WorkerInsertAsync(new WorkerRegistration(id, name, "h", 1, "1", ["noop"], 4), Token);
        return id;
    }

    private async Task ReportThenSweepAsync(Guid failing, Guid healthy, bool failingReports = true)
    {
        _clock.Advance(Window);
        if (failingReports)
        {
            await _workers.WorkerSetHeartbeatAsync(failing, Failing(), [], Token);
        }

        await _workers.WorkerSetHeartbeatAsync(healthy, Healthy(), [], Token);
        await _sweeper.RunPassAsync(Token);
    }

    private Task<long> SamplesOfAsync(Guid worker) =>
        _system.Database.ScalarAsync<long>("SELECT count(*) FROM worker_health_logs WHERE worker_id = $1", worker);

    private async Task<bool> OrderedToExitAsync(Guid worker) =>
        await _system.Redis.GetDatabase().SetContainsAsync(_system.Keys.ClosedWorkers, worker.ToString());

    [Fact]
    public async Task AWorkerThatStopsReporting_IsSampledOncePerReport_AndItsLastBadReportAloneDoesNotEvacuateIt()
    {
        var failing = await RegisterAsync("failing");
        var healthy = await RegisterAsync("healthy");

        await ReportThenSweepAsync(failing, healthy);
        for (var pass = 0; pass < FailurePrediction.SustainedSamples; pass++)
        {
            await ReportThenSweepAsync(failing, healthy, failingReports: false); // paused: its one report stays the latest
        }

        Assert.Equal(1, await SamplesOfAsync(failing));
        Assert.Equal(1 + FailurePrediction.SustainedSamples, await SamplesOfAsync(healthy));
        Assert.False(await OrderedToExitAsync(failing));

        // Reports that keep failing, one window after another, do.
        for (var report = 1; report < FailurePrediction.SustainedSamples; report++)
        {
            await ReportThenSweepAsync(failing, healthy);
        }

        Assert.Equal(FailurePrediction.SustainedSamples, await SamplesOfAsync(failing));
        Assert.True(await OrderedToExitAsync(failing));
        Assert.False(await OrderedToExitAsync(healthy));
    }

    [Fact]
    public async Task AnExitOrder_IsReadBackWithTheWorkersNextReport_ForAWorkerThatMissedTheMessage()
    {
        var failing = await RegisterAsync("failing");
        var healthy = await RegisterAsync("healthy");
        for (var pass = 0; pass < FailurePrediction.SustainedSamples; pass++)
        {
            await ReportThenSweepAsync(failing, healthy);
        }

        Assert.True(await OrderedToExitAsync(failing));
        _clock.Advance(Window);
        Assert.True((await _workers.WorkerSetHeartbeatAsync(failing, Failing(), [], Token))!.ExitOrdered);
        Assert.False((await _workers.WorkerSetHeartbeatAsync(healthy, Healthy(), [], Token))!.ExitOrdered);
    }

    [Fact]
    public async Task AWorkerToldToExit_IsNotCountedActive_WhileItLingers_SoTheLastActiveWorkerIsKept_EvenByANewLeader()
    {
        // Both fail; the minimum is one active worker. The first told to exit has not yet (its
        // jobs are being handed back, or it missed the message) and keeps reporting.
        var first = await RegisterAsync("failing-1");
        var second = await RegisterAsync("failing-2");
        async Task BothReportThenSweepAsync(HealthSweeper sweeper)
        {
            _clock.Advance(Window);
            await _workers.WorkerSetHeartbeatAsync(first, Failing(), [], Token);
            await _workers.WorkerSetHeartbeatAsync(second, Failing(), [], Token);
            await sweeper.RunPassAsync(Token);
        }

        for (var pass = 0; pass < FailurePrediction.SustainedSamples; pass++)
        {
            await BothReportThenSweepAsync(_sweeper);
        }

        Assert.Equal(1, await _system.Redis.GetDatabase().SetLengthAsync(_system.Keys.ClosedWorkers));
        await BothReportThenSweepAsync(_sweeper);
        await BothReportThenSweepAsync(NewSweeper());
        Assert.Equal(1, await _system.Redis.GetDatabase().SetLengthAsync(_system.Keys.ClosedWorkers));
        Assert.Equal(1, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM workers WHERE exit_ordered_at IS NOT NULL"));
    }

    [Fact]
    public async Task AWorkerFailingMostOfItsJobs_ScoresUnderTheThreshold_ThoughItsOwnFailuresAreMostOfTheFleets()
    {
        var sick = await RegisterAsync("sick");
        var healthy = await RegisterAsync("healthy");

        // Failing fast, it ran four times as many attempts as its peer: 180 of 200 failed, against
        // none of 50. Pooled with its own, the fleet's rate (72 %) would excuse most of them.
        _clock.Advance(Window);
        await _workers.WorkerSetHeartbeatAsync(sick, Healthy() with { JobsCompleted = 20, JobsFailed = 180, WindowCompleted = 20, WindowFailed = 180 }, [], Token);
        await _workers.WorkerSetHeartbeatAsync(healthy, Healthy() with { JobsCompleted = 50, WindowCompleted = 50 }, [], Token);
        await _sweeper.RunPassAsync(Token);

        var score = await _system.Database.ScalarAsync<float>("SELECT health_score FROM worker_health_logs WHERE worker_id = $1", sick);
        Assert.InRange(score, 0, new HealthMonitorOptions().FailureThreshold);
        Assert.InRange(await _system.Database.ScalarAsync<float>("SELECT health_score FROM worker_health_logs WHERE worker_id = $1", healthy), 0.9f, 1f);
    }

    [Fact]
    public async Task AWorkerTheMonitorDrained_IsToldToExitOnceIdle_EvenByANewLeader_AndOneAnOperatorDrainedIsNot()
    {
        // This sweeper never drained anyone: the worker was drained by the monitor before it (a
        // leader that died, or this process before a restart).
        var drainedByMonitor = await RegisterAsync("drained-by-monitor");
        var drainedByOperator = await RegisterAsync("drained-by-operator");
        Assert.True(await _workers.WorkerSetDrainingIfActiveAsync(drainedByMonitor, byMonitor: true, Token));
        Assert.True(await _workers.WorkerSetDrainingIfActiveAsync(drainedByOperator, byMonitor: false, Token));

        _clock.Advance(Window);
        await _workers.WorkerSetHeartbeatAsync(drainedByMonitor, Healthy(), [], Token);
        await _workers.WorkerSetHeartbeatAsync(drainedByOperator, Healthy(), [], Token);
        await _sweeper.RunPassAsync(Token);

        Assert.True(await OrderedToExitAsync(drainedByMonitor));
        Assert.False(await OrderedToExitAsync(drainedByOperator));
    }

    [Fact]
    public async Task ANewLeader_NeitherSamplesAReportAgain_NorRecordsALastingAnomalyAgain_AndEndsItWhenAReportNoLongerShowsIt()
    {
        // Three workers at 50 MB and one at 400 MB: the fleet's baseline flags its memory.
        var heavy = await RegisterAsync("heavy");
        Guid[] peers = [await RegisterAsync("peer-1"), await RegisterAsync("peer-2"), await RegisterAsync("peer-3")];
        async Task ReportAsync(long heavyMemory)
        {
            _clock.Advance(Window);
            await _workers.WorkerSetHeartbeatAsync(heavy, Healthy() with { MemoryBytes = heavyMemory }, [], Token);
            foreach (var peer in peers)
            {
                await _workers.WorkerSetHeartbeatAsync(peer, Healthy(), [], Token);
            }
        }

        Task<long> AnomaliesAsync(bool lasting) =>
            _system.Database.ScalarAsync<long>("SELECT count(*) FROM health_anomalies WHERE worker_id = $1 AND (ended_at IS NULL) = $2", heavy, lasting);

        await ReportAsync(400_000_000);
        await _sweeper.RunPassAsync(Token);
        Assert.Equal((1L, 1L, 0L), (await SamplesOfAsync(heavy), await AnomaliesAsync(lasting: true), await AnomaliesAsync(lasting: false)));

        // The leader dies and another takes over while the same reports are still the latest.
        var successor = NewSweeper();
        await successor.RunPassAsync(Token);
        Assert.Equal((1L, 1L), (await SamplesOfAsync(heavy), await AnomaliesAsync(lasting: true)));

        // A new report, still heavy: the same anomaly lasts.
        await ReportAsync(400_000_000);
        await successor.RunPassAsync(Token);
        Assert.Equal((2L, 1L, 0L), (await SamplesOfAsync(heavy), await AnomaliesAsync(lasting: true), await AnomaliesAsync(lasting: false)));

        // A report back at the fleet's level ends it.
        await ReportAsync(50_000_000);
        await successor.RunPassAsync(Token);
        Assert.Equal((3L, 0L, 1L), (await SamplesOfAsync(heavy), await AnomaliesAsync(lasting: true), await AnomaliesAsync(lasting: false)));
    }

    [Fact]
    public async Task ALeaderBackInCharge_DoesNotSampleAgainTheReportItsSuccessorSampled()
    {
        var worker = await RegisterAsync("w1");
        var peer = await RegisterAsync("w2");
        await ReportThenSweepAsync(worker, peer, failingReports: false); // the first leader samples the peer's first report
        var successor = NewSweeper();
        _clock.Advance(Window);
        await _workers.WorkerSetHeartbeatAsync(peer, Healthy(), [], Token);
        await successor.RunPassAsync(Token); // the second samples its next one

        await _sweeper.RunPassAsync(Token); // the first is leader again, with no report since

        Assert.Equal(2, await SamplesOfAsync(peer));
    }
}
