using AspireJobs.Core.Health;
using AspireJobs.Core.Workers;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Core.Health;

/// <summary>A health sample keeps, through PostgreSQL, what the monitor and the Api read back: its CPU wait and its prediction's reason.</summary>
public sealed class HealthStoreTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task ASample_IsReadBack_WithItsCpuWaitAndWhyItsFailureIsExpected()
    {
        var (store, worker) = (new HealthStore(_system.Database.DataSource), await RegisterAsync());
        var leaking = new Prediction(0.9, 0, TimeSpan.FromSeconds(70), 0.97, RecommendedAction.Drain) { Reason = "memory 400 MiB, rising 120 MiB a minute" };
        var quiet = new Prediction(1, 0, null, 0, RecommendedAction.None);

        await store.WorkerHealthLogInsertAsync(Sample(worker, leaking) with { CpuWaitShare = 0.25 }, Token);
        await store.WorkerHealthLogInsertAsync(Sample(worker, quiet), Token);

        var history = await store.WorkerHealthLogGetSinceAsync(worker, DateTimeOffset.UtcNow.AddMinutes(-1), 10, Token);
        Assert.Equal(2, history.Count);
        Assert.Equal((0.25, "memory 400 MiB, rising 120 MiB a minute", RecommendedAction.Drain),
            (Math.Round(history[0].CpuWaitShare!.Value, 6), history[0].Prediction.Reason, history[0].Prediction.RecommendedAction));
        Assert.Equal((null, null), (history[1].CpuWaitShare, history[1].Prediction.Reason));
    }

    [Fact]
    public async Task Retention_KeepsAnAnomalyThatStillLasts_HoweverOld_AndDeletesOneThatEndedBeforeTheCutoff()
    {
        var (store, worker) = (new HealthStore(_system.Database.DataSource), await RegisterAsync());
        var evidence = new AnomalyEvidence(400, 50, 1, 50, 1, 350, 350, 32, 50);
        string[] metrics = [WatchedMetric.MemoryBytes, WatchedMetric.HeartbeatJitterMs, WatchedMetric.GcPauseShare];
        await store.HealthAnomalyInsertAsync([.. metrics.Select(metric => new NewAnomaly(worker, metric, FleetHealth.FleetBaseline, evidence))], Token);
        // All three began two days ago: the first lasts, the second ended a day and a half ago, the third an hour ago.
        await _system.Database.ExecuteAsync("UPDATE health_anomalies SET detected_at = now() - interval '2 days'");
        await _system.Database.ExecuteAsync("UPDATE health_anomalies SET ended_at = now() - interval '36 hours' WHERE metric = $1", metrics[1]);
        await _system.Database.ExecuteAsync("UPDATE health_anomalies SET ended_at = now() - interval '1 hour' WHERE metric = $1", metrics[2]);

        await store.WorkerHealthLogDeleteBeforeAsync(DateTimeOffset.UtcNow.AddDays(-1), Token);

        Assert.Equal(new[] { metrics[0], metrics[2] }.Order(), (await store.HealthAnomalyListAsync(worker, null, 10, Token)).Select(a => a.Metric).Order());
        Assert.Equal(metrics[0], Assert.Single(await store.HealthAnomalyGetLastingAsync(Token)).Metric);
    }

    private async Task<Guid> RegisterAsync()
    {
        var worker = Guid.NewGuid();
        await new WorkerStore(_system.Database.DataSource, TimeProvider.System).WorkerInsertAsync(new WorkerRegistration(worker, "w1", "h", 1, "1", ["noop"], 4), Token);
        return worker;
    }

    private static HealthSample Sample(Guid worker, Prediction prediction) =>
        new(worker, 0.9, 1, 1, 2, 0, 10, 0, 400L * 1024 * 1024, 5, 1, 0, new Dictionary<string, double>(), prediction);
}
