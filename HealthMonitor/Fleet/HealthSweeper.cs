using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Health;
using AspireJobs.Core.Workers;
using AspireJobs.HealthMonitor.Leadership;
using AspireJobs.HealthMonitor.Maintenance;
using Microsoft.Extensions.Options;

namespace AspireJobs.HealthMonitor.Fleet;

/// <summary>
/// Every health interval: a health score per live worker from its latest report (against the
/// fleet's), kept in worker_health_logs with the failure prediction made from its trend;
/// anomalies (<see cref="AnomalyDetector"/>: the worker's own history and the fleet) recorded
/// when they begin, and marked when they end (<see cref="AnomalyContinuity"/>); and, when switched on, action: a worker predicted to fail is drained (and, once it
/// holds nothing, told to exit so its orchestrator replaces it), and one below the failure
/// threshold is evacuated (its jobs handed back, the process told to exit). Actions never leave
/// fewer active workers than the configured minimum.
/// </summary>
public sealed partial class HealthSweeper(
    WorkerStore workers,
    HealthStore health,
    JobDispatcher dispatcher,
    RedisFollowUp followUp,
    TimeProvider clock,
    IOptions<HealthMonitorOptions> options,
    LeaderElection leader,
    ILogger<HealthSweeper> logger) : PeriodicService(leader, logger)
{
    /// <summary>The report time of each worker's latest sampled report, as this process saw it.</summary>
    private readonly Dictionary<Guid, DateTimeOffset> _sampledReports = [];

    protected override TimeSpan Interval => options.Value.HealthInterval;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var live = (await workers.WorkerGetLiveAsync(stoppingToken)).Where(w => w.Metrics is not null).ToList();
        var reports = live.Select(w => w.Metrics!).ToList();
        var fleetMeans = FleetHealth.FleetMeanDurations(reports);

        var histories = await health.WorkerHealthLogGetSinceAsync(live.Select(w => w.Id).ToList(), now - settings.PredictionWindow, Math.Max(settings.AnomalyWindow, 200), stoppingToken);
        var samples = new List<Examined>();
        foreach (var worker in live)
        {
            var history = histories.GetValueOrDefault(worker.Id) ?? [];
            var sample = FleetHealth.Sample(worker, worker.Metrics!, FleetHealth.FleetErrorRate(reports, besides: worker.Metrics), fleetMeans, settings.WorkerMemoryBudgetBytes, history, now, settings.PredictionRules);
            // One sample per report: a worker that stopped reporting (paused, cut off) would
            // otherwise have its last report counted again at every pass, and one bad window
            // would pass for the several in a row that fail it. Liveness judges its silence. A
            // worker's history says which report was sampled last, so a monitor that takes over
            // does not sample again the report its predecessor did; this process's memory covers a
            // worker whose last sample is older than the history read.
            var sampledReport = Later(_sampledReports.TryGetValue(worker.Id, out var sampledAt) ? sampledAt : null, history.Count > 0 ? history[^1].ReportAt : null);
            var isNewReport = sampledReport != worker.LastHeartbeatAt;
            if (isNewReport)
            {
                await health.WorkerHealthLogInsertAsync(sample, stoppingToken);
                _sampledReports[worker.Id] = worker.LastHeartbeatAt;
            }

            samples.Add(new Examined(worker, sample, history, isNewReport));
        }

        foreach (var gone in _sampledReports.Keys.Except(live.Select(w => w.Id)).ToList())
        {
            _sampledReports.Remove(gone);
        }

        await RecordAnomaliesAsync(samples, now, stoppingToken);
        await ActAsync(samples, stoppingToken);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a > b || b is null ? a : b;

    /// <summary>A live worker's sample at this pass; on a report sampled before, it is the fleet's baseline only.</summary>
    private sealed record Examined(WorkerInfo Worker, HealthSample Sample, IReadOnlyList<HealthHistoryPoint> History, bool IsNewReport);

    private async Task RecordAnomaliesAsync(List<Examined> samples, DateTimeOffset now, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var found = new List<NewAnomaly>();
        foreach (var (worker, sample, history, _) in samples.Where(s => s.IsNewReport))
        {
            var ownBaseline = history.TakeLast(settings.AnomalyWindow).ToList();
            var others = samples.Where(s => s.Worker.Id != worker.Id).Select(s => s.Sample).ToList();
            found.AddRange(AnomalyDetector.Find(sample, ownBaseline, others, settings.AnomalyRules));
        }

        var (beginning, ended) = AnomalyContinuity.Follow(
            await health.HealthAnomalyGetLastingAsync(stoppingToken),
            found,
            samples.Where(s => s.IsNewReport).Select(s => s.Worker.Id).ToHashSet(),
            samples.Select(s => s.Worker.Id).ToHashSet());
        await health.HealthAnomalySetEndedAsync(ended, now, stoppingToken);
        await health.HealthAnomalyInsertAsync(beginning, stoppingToken);
        foreach (var anomaly in beginning)
        {
            LogAnomaly(anomaly.WorkerId, anomaly.Evidence.Reason(anomaly.Metric, anomaly.Baseline));
        }
    }

    private async Task ActAsync(List<Examined> samples, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        // A worker told to exit is on its way out, whichever monitor told it: not one to keep.
        var active = samples.Count(s => s.Worker is { Status: WorkerStatus.Active, ExitOrdered: false });
        foreach (var (worker, sample, _, _) in samples.Where(s => s.IsNewReport && !s.Worker.ExitOrdered).OrderBy(s => s.Sample.HealthScore))
        {
            var action = sample.Prediction.RecommendedAction;
            var leavesEnough = worker.Status != WorkerStatus.Active || active - 1 >= settings.MinimumActiveWorkers;
            if (action == RecommendedAction.Replace && settings.AutoEvacuate && leavesEnough && await OrderExitAsync(worker, stoppingToken))
            {
                active -= worker.Status == WorkerStatus.Active ? 1 : 0;
                LogEvacuated(worker.Name, sample.HealthScore);
            }
            else if (action == RecommendedAction.Drain && settings.AutoDrain && worker.Status == WorkerStatus.Active && leavesEnough
                     && await workers.WorkerSetDrainingIfActiveAsync(worker.Id, byMonitor: true, stoppingToken))
            {
                await SendAsync(WorkerOrder.Drain, worker);
                active--;
                LogDrained(worker.Name, sample.Prediction.FailureProbability, sample.Prediction.Reason);
            }
            else if (worker.Status == WorkerStatus.Draining && worker.CurrentLoad == 0 && worker.DrainedByMonitor)
            {
                // A worker the monitor drained (this one, or the leader before it) has finished
                // what it held: let its orchestrator replace it with a fresh process rather than
                // keep an idle, failing one.
                await OrderExitAsync(worker, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Tells a worker to exit, once: recorded in PostgreSQL, where the worker reads it back with
    /// its next report, then sent. False: it was told already (by this monitor or another).
    /// </summary>
    private async Task<bool> OrderExitAsync(WorkerInfo worker, CancellationToken stoppingToken)
    {
        if (!await workers.WorkerSetExitOrderedIfLiveAsync(worker.Id, stoppingToken))
        {
            return false;
        }

        await SendAsync(WorkerOrder.Exit, worker);
        return true;
    }

    /// <summary>
    /// Sends an order recorded in PostgreSQL on the control channel, the fast path. Should Redis
    /// not take it, the worker reads it back with its next report, and the pass goes on to the
    /// other workers.
    /// </summary>
    private Task<bool> SendAsync(WorkerOrder order, WorkerInfo worker) =>
        followUp.TryAsync(() => dispatcher.OrderAsync(order, worker.Id), $"the {order} order to worker {worker.Name} (it reads it with its next report)");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Anomaly: worker {WorkerId}: {Reason}")]
    private partial void LogAnomaly(Guid workerId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evacuating worker {WorkerName}: health score {Score:0.00} is below the failure threshold")]
    private partial void LogEvacuated(string workerName, double score);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining worker {WorkerName}: failure probability {Probability:0.00}: {Reason}")]
    private partial void LogDrained(string workerName, double probability, string? reason);
}
