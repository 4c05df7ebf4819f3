using System.Diagnostics.Metrics;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Telemetry;
using AspireJobs.Core.Workers;
using AspireJobs.HealthMonitor.Leadership;
using AspireJobs.HealthMonitor.Maintenance;
using Microsoft.Extensions.Options;
using static AspireJobs.Core.Telemetry.JobsTelemetry;

namespace AspireJobs.HealthMonitor.Fleet;

/// <summary>
/// The observable gauges of the Meter <c>AspireJobs</c>: queue depth per band, jobs running,
/// workers by status, and each live worker's health score. The leader samples them from the kept
/// counts and the workers table every gauge interval; an observation reads the latest sample,
/// so exporting costs no query. A standby (or a monitor that lost the lead) reports none.
/// </summary>
public sealed class FleetGauges : PeriodicService
{
    private readonly JobStore _jobs;
    private readonly WorkerStore _workers;
    private readonly IOptions<HealthMonitorOptions> _options;
    private readonly LeaderElection _leader;
    private volatile Sample? _sample;

    public FleetGauges(JobStore jobs, WorkerStore workers, IMeterFactory meters, IOptions<HealthMonitorOptions> options, LeaderElection leader, ILogger<FleetGauges> logger)
        : base(leader, logger)
    {
        _jobs = jobs;
        _workers = workers;
        _options = options;
        _leader = leader;
        var meter = meters.Create(Name);
        meter.CreateObservableGauge("aspirejobs.queue.depth", ObserveQueueDepth, "{job}", "Jobs queued, per band.");
        meter.CreateObservableGauge("aspirejobs.jobs.running", () => Observe<long>(sample => [new(sample.Counts.Running)]), "{job}", "Jobs running.");
        meter.CreateObservableGauge("aspirejobs.workers", ObserveWorkers, "{worker}", "Workers, per status.");
        meter.CreateObservableGauge("aspirejobs.worker.health_score", ObserveHealthScores, "1", "Each live worker's health score, 0 (failing) to 1.");
    }

    protected override TimeSpan Interval => _options.Value.GaugeInterval;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var counts = await _jobs.JobCountByStateAsync(stoppingToken);
        var workers = await _workers.WorkerListAsync(limit: 1000, stoppingToken);
        _sample = new Sample(counts, workers);
    }

    private IEnumerable<Measurement<long>> ObserveQueueDepth() => Observe<long>(sample =>
    [
        new(sample.Counts.QueuedHigh, new KeyValuePair<string, object?>(BandTag, "high")),
        new(sample.Counts.QueuedMedium, new KeyValuePair<string, object?>(BandTag, "medium")),
        new(sample.Counts.QueuedLow, new KeyValuePair<string, object?>(BandTag, "low")),
    ]);

    private IEnumerable<Measurement<long>> ObserveWorkers() => Observe(sample =>
        Enum.GetValues<WorkerStatus>().Select(status => new Measurement<long>(
            sample.Workers.Count(w => w.Status == status), new KeyValuePair<string, object?>(StatusTag, WorkerStatusText.Of(status)))).ToList());

    private IEnumerable<Measurement<double>> ObserveHealthScores() => Observe(sample =>
        sample.Workers.Where(w => w.HealthScore is not null && w.Status is WorkerStatus.Active or WorkerStatus.Draining)
            .Select(w => new Measurement<double>(w.HealthScore!.Value,
                new KeyValuePair<string, object?>(WorkerIdTag, w.Id.ToString()), new KeyValuePair<string, object?>(WorkerNameTag, w.Name)))
            .ToList());

    private IEnumerable<Measurement<T>> Observe<T>(Func<Sample, IReadOnlyList<Measurement<T>>> measure) where T : struct =>
        _leader.IsLeader && _sample is { } sample ? measure(sample) : [];

    private sealed record Sample(JobCounts Counts, IReadOnlyList<WorkerInfo> Workers);
}
