using System.Diagnostics.Metrics;
using AspireJobs.Core.Workers;
using AspireJobs.HealthMonitor;
using AspireJobs.HealthMonitor.Fleet;
using AspireJobs.HealthMonitor.Leadership;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspireJobs.Tests.HealthMonitor;

/// <summary>The observable gauges, read through a MeterListener: what the leader sampled, and nothing from a standby.</summary>
public sealed class FleetGaugesTests(TestServers servers) : IAsyncLifetime
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private TestSystem _system = null!;
    private LeaderElection _leader = null!;
    private FleetGauges _gauges = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _system = await TestSystem.CreateAsync(servers);
        var options = Options.Create(new HealthMonitorOptions { LeaderPollInterval = TimeSpan.FromMilliseconds(50) });
        _leader = new LeaderElection(_system.Database.DataSource, options, NullLogger<LeaderElection>.Instance);
        _gauges = new FleetGauges(_system.Store, new WorkerStore(_system.Database.DataSource, TimeProvider.System),
            _services.GetRequiredService<IMeterFactory>(), options, _leader, NullLogger<FleetGauges>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _leader.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        await _system.DisposeAsync();
    }

    private List<(string Instrument, double Value, string? Tag)> Observe()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        var measured = new List<(string, double, string?)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measured.Add((instrument.Name, value, tags.Length > 0 ? tags[0].Value as string : null)));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measured.Add((instrument.Name, value, tags.Length > 0 ? tags[0].Value as string : null)));
        listener.Start();
        listener.RecordObservableInstruments();
        return measured;
    }

    [Fact]
    public async Task TheLeader_ReportsQueueDepthPerBand_RunningAndWorkersByStatus_AndAStandbyNothing()
    {
        await _system.Store.JobInsertBatchAsync([TestJobs.New(priority: 5), TestJobs.New(priority: 4), TestJobs.New(priority: 1)], Token);
        await new WorkerStore(_system.Database.DataSource, TimeProvider.System)
            .WorkerInsertAsync(new WorkerRegistration(Guid.NewGuid(), "w1", "h", 1, "1", ["noop"], 4), Token);
        await _gauges.RunPassAsync(Token);
        Assert.Empty(Observe()); // not the leader yet

        await _leader.StartAsync(Token);
        await _system.WaitUntilAsync(() => Task.FromResult(_leader.IsLeader), TimeSpan.FromSeconds(10), "the election");
        var measured = Observe();

        Assert.Equal(
            [("aspirejobs.queue.depth", 2, "high"), ("aspirejobs.queue.depth", 0, "medium"), ("aspirejobs.queue.depth", 1, "low")],
            measured.Where(m => m.Instrument == "aspirejobs.queue.depth"));
        Assert.Equal(("aspirejobs.jobs.running", 0, null), Assert.Single(measured, m => m.Instrument == "aspirejobs.jobs.running"));
        Assert.Equal(
            [("active", 1), ("draining", 0), ("dead", 0), ("stopped", 0)],
            measured.Where(m => m.Instrument == "aspirejobs.workers").Select(m => (m.Tag, m.Value)));
    }
}
