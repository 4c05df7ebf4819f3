using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Health;
using AspireJobs.ServiceDefaults;

namespace AspireJobs.HealthMonitor;

/// <summary>Options of the health monitor, from the configuration section <c>HealthMonitor</c>.</summary>
public sealed class HealthMonitorOptions : IValidatedOptions
{
    public const string Section = "HealthMonitor";

    /// <summary>How often due scheduled jobs (runAt, retry backoff) are queued: the most a due job waits.</summary>
    public TimeSpan PromoteInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often running jobs past their lease deadline are rescued.</summary>
    public TimeSpan RescueInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often PostgreSQL and Redis are compared and repaired.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the reconciler walks every queued job even when the counts agree.</summary>
    public TimeSpan ReconcileFullInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long the reconciler leaves a job just created to its creator's push before counting it
    /// missing from Redis. Pushed by both, a new job could be taken from the reconciler's entry and
    /// again from the create's, with its ticket, and its handler run twice. Judged on Redis's
    /// clock, and at least <see cref="JobTicket.Lifetime"/>: a create's push that lands later
    /// adds no ticket.
    /// </summary>
    public TimeSpan CreatePushGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the ledgers of count changes are folded into the totals: the most changes a count adds up when read.</summary>
    public TimeSpan CountFoldInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the kept counts are checked against a scan of every job (and corrected, with a warning).</summary>
    public TimeSpan CountReconcileInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the observable gauges (queue depth, running, workers, health scores) are sampled.</summary>
    public TimeSpan GaugeInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the per-10-seconds activity totals behind the dashboard's charts are kept.</summary>
    public TimeSpan ActivityRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often finished jobs and old events are purged.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long finished jobs (completed, dead-lettered, cancelled) and transition events are kept.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most rows one statement of these loops touches, so none holds locks for long.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How often a standby tries to become leader, and the leader checks it still is.</summary>
    public TimeSpan LeaderPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often workers' heartbeats are checked. A dead worker is found within its heartbeat timeout plus this.</summary>
    public TimeSpan LivenessInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// After Redis lost its data (every heartbeat key with it) or stood still, how long at least to
    /// wait for a worker to reconnect and beat again before judging it (one and a half of its
    /// heartbeat intervals, when that is longer).
    /// </summary>
    public TimeSpan RedisLossGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A liveness pass that came this much late (the monitor or the machine was paused), or waited
    /// this long for Redis, does not judge anyone: while Redis or the machine stood still,
    /// heartbeat keys expired though workers beat on time. Workers then get time to beat again,
    /// as after a loss of Redis's data. Time spent waiting on PostgreSQL does not count. Keep it
    /// below the workers' heartbeat timeout minus their interval.
    /// </summary>
    public TimeSpan LivenessStallTolerance { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A job whose workers died under it this many times is quarantined in the dead letters.</summary>
    public int PoisonThreshold { get; set; } = 3;

    /// <summary>How often health scores are computed, anomalies looked for and failures predicted.</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long worker health history and anomalies are kept.</summary>
    public TimeSpan HealthHistoryRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long the rows of stopped and dead workers are kept.</summary>
    public TimeSpan WorkerRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// A metric this many robust standard deviations (median absolute deviations × 1.4826) above
    /// its baseline's median is an anomaly, if it also passes its floor (<see cref="AnomalyFloors"/>).
    /// </summary>
    public double AnomalyThreshold { get; set; } = AnomalyRules.DefaultThreshold;

    /// <summary>No anomaly is judged against fewer of the worker's own samples than this.</summary>
    public int AnomalyMinimumSamples { get; set; } = AnomalyRules.DefaultMinimumSamples;

    /// <summary>
    /// A worker is judged against the fleet's spread only when at least this many other workers
    /// report the metric. The error rate, judged by counts rather than a spread, needs one.
    /// </summary>
    public int AnomalyMinimumFleet { get; set; } = AnomalyRules.DefaultMinimumFleet;

    /// <summary>The least departure from a baseline that is an anomaly, per metric, whatever its z-score.</summary>
    public AnomalyFloors AnomalyFloors { get; set; } = new();

    /// <summary>The anomaly settings as the detector takes them.</summary>
    public AnomalyRules AnomalyRules => new(AnomalyThreshold, AnomalyMinimumSamples, AnomalyMinimumFleet, AnomalyFloors);

    /// <summary>How many recent samples of a worker's own history form its baseline.</summary>
    public int AnomalyWindow { get; set; } = 30;

    /// <summary>The health score below which a worker counts as failing.</summary>
    public double FailureThreshold { get; set; } = 0.3;

    /// <summary>How much score history the failure prediction fits its trend to.</summary>
    public TimeSpan PredictionWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How far ahead a predicted failure counts: failing at the horizon is probability 0, failing now is 1.</summary>
    public TimeSpan PredictionHorizon { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How much of a worker's recent memory the leak forecast fits its line to; it looks no further ahead than this.</summary>
    public TimeSpan MemoryTrendWindow { get; set; } = MemoryForecast.DefaultLookBack;

    /// <summary>The prediction settings as the health sweep takes them.</summary>
    public PredictionRules PredictionRules => new(FailureThreshold, PredictionHorizon, MemoryTrendWindow);

    /// <summary>Drain a worker predicted to fail soon.</summary>
    public bool AutoDrain { get; set; } = true;

    /// <summary>Evacuate a worker below the failure threshold: its jobs handed back and the process told to exit, so its orchestrator replaces it.</summary>
    public bool AutoEvacuate { get; set; } = true;

    /// <summary>Automatic actions never leave fewer active workers than this.</summary>
    public int MinimumActiveWorkers { get; set; } = 1;

    /// <summary>The memory a worker may use before its health score suffers (from half of it on).</summary>
    public long WorkerMemoryBudgetBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Take snapshots on a schedule (the leader does).</summary>
    public bool AutoSnapshots { get; set; } = true;

    /// <summary>How often an automatic snapshot is taken.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An automatic snapshot is full when no full one is younger than this; incremental otherwise.</summary>
    public TimeSpan FullSnapshotInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Automatic and before-restore snapshots older than this are deleted (manual ones are kept).</summary>
    public TimeSpan SnapshotRetention { get; set; } = TimeSpan.FromDays(7);

    public IEnumerable<string> Validate(string section)
    {
        foreach (var (name, value) in new[]
        {
            ("PromoteInterval", PromoteInterval), ("RescueInterval", RescueInterval), ("ReconcileInterval", ReconcileInterval), ("ReconcileFullInterval", ReconcileFullInterval), ("CreatePushGrace", CreatePushGrace),
            ("CountFoldInterval", CountFoldInterval), ("CountReconcileInterval", CountReconcileInterval), ("ActivityRetention", ActivityRetention), ("GaugeInterval", GaugeInterval),
            ("RetentionInterval", RetentionInterval), ("Retention", Retention), ("LeaderPollInterval", LeaderPollInterval),
            ("LivenessInterval", LivenessInterval), ("RedisLossGrace", RedisLossGrace), ("LivenessStallTolerance", LivenessStallTolerance), ("HealthInterval", HealthInterval),
            ("HealthHistoryRetention", HealthHistoryRetention), ("WorkerRetention", WorkerRetention),
            ("PredictionWindow", PredictionWindow), ("PredictionHorizon", PredictionHorizon), ("MemoryTrendWindow", MemoryTrendWindow),
            ("SnapshotInterval", SnapshotInterval), ("FullSnapshotInterval", FullSnapshotInterval), ("SnapshotRetention", SnapshotRetention),
        })
        {
            if (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromDays(3650))
            {
                yield return $"{section}:{name} must be a time span from 00:00:00.010 to 3650 days (was {value}).";
            }
        }

        if (CreatePushGrace < JobTicket.Lifetime)
        {
            yield return $"{section}:CreatePushGrace must be at least {JobTicket.Lifetime}, the time a create's own push may still add its job's ticket; shorter, a job could run twice (was {CreatePushGrace}).";
        }

        if (MemoryTrendWindow > PredictionWindow)
        {
            yield return $"{section}:MemoryTrendWindow must not be longer than {section}:PredictionWindow, the history read for a prediction (were {MemoryTrendWindow} and {PredictionWindow}).";
        }

        if (PoisonThreshold is < 1 or > 1000)
        {
            yield return $"{section}:PoisonThreshold must be between 1 and 1000 (was {PoisonThreshold}).";
        }

        if (AnomalyThreshold is <= 0 or > 100)
        {
            yield return $"{section}:AnomalyThreshold must be a number of standard deviations above 0 and at most 100 (was {AnomalyThreshold}).";
        }

        if (AnomalyMinimumSamples is < 2 or > 10_000 || AnomalyWindow < AnomalyMinimumSamples || AnomalyWindow > 10_000)
        {
            yield return $"{section}:AnomalyMinimumSamples must be 2 or more and {section}:AnomalyWindow at least as large, both at most 10000 (were {AnomalyMinimumSamples} and {AnomalyWindow}).";
        }

        if (AnomalyMinimumFleet is < 1 or > 10_000)
        {
            yield return $"{section}:AnomalyMinimumFleet must be between 1 and 10000 (was {AnomalyMinimumFleet}).";
        }

        foreach (var error in AnomalyFloors.Validate($"{section}:{nameof(AnomalyFloors)}"))
        {
            yield return error;
        }

        if (FailureThreshold is <= 0 or >= 1)
        {
            yield return $"{section}:FailureThreshold must be between 0 and 1, exclusive (was {FailureThreshold}).";
        }

        if (MinimumActiveWorkers is < 0 or > 10_000)
        {
            yield return $"{section}:MinimumActiveWorkers must be between 0 and 10000 (was {MinimumActiveWorkers}).";
        }

        if (WorkerMemoryBudgetBytes < 1024 * 1024)
        {
            yield return $"{section}:WorkerMemoryBudgetBytes must be at least 1048576 (was {WorkerMemoryBudgetBytes}).";
        }

        if (BatchSize is < 1 or > 100_000)
        {
            yield return $"{section}:BatchSize must be between 1 and 100000 (was {BatchSize}).";
        }
    }
}
