using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Retries;
using AspireJobs.ServiceDefaults;
using AspireJobs.Worker.Drills;

namespace AspireJobs.Worker;

/// <summary>Options of a worker, from the configuration section <c>Worker</c>.</summary>
public sealed class WorkerOptions : IValidatedOptions
{
    public const string Section = "Worker";

    /// <summary>How many handlers this worker runs at once. A job whose handler is done frees its slot while its outcome is written.</summary>
    public int Concurrency { get; set; } = 64;

    /// <summary>The most jobs one acquisition takes from Redis.</summary>
    public int AcquireBatchSize { get; set; } = 64;

    /// <summary>How long a Redis lease lasts before heartbeats must extend it (see <see cref="EffectiveLeaseLength"/>).</summary>
    public TimeSpan LeaseLength { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The lease given and extended: <see cref="LeaseLength"/>, or twice <see cref="HeartbeatInterval"/>
    /// when that is longer. Only the beat extends a running job's lease, so a lease shorter than
    /// the time between two beats would lapse while its job runs, and a job whose start was not yet
    /// written could be rescued and run twice (30-s beats, as some run them, against the 30-s lease).
    /// </summary>
    public TimeSpan EffectiveLeaseLength => LeaseLength > 2 * HeartbeatInterval ? LeaseLength : 2 * HeartbeatInterval;

    /// <summary>
    /// Added to a job's own timeout to give its PostgreSQL lease deadline: past it, the job is
    /// rescued even if this worker still seems alive.
    /// </summary>
    public TimeSpan LeaseGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a job runs on its Redis lease alone. A job that finishes within it costs
    /// PostgreSQL one write, its start and its outcome together; one that runs longer gets its
    /// start written when it ends, so readers see it running. Zero writes every start at once
    /// (the handler still starts without waiting for it).
    /// </summary>
    public TimeSpan StartWindow { get; set; } = DefaultStartWindow;

    public static readonly TimeSpan DefaultStartWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How often an idle worker looks for work without being woken. Wake-ups arrive over
    /// pub/sub at once; this only covers one that was missed.
    /// </summary>
    public TimeSpan SafetyPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public int HighWeight { get; set; } = FairnessPolicy.DefaultHighWeight;

    public int MediumWeight { get; set; } = FairnessPolicy.DefaultMediumWeight;

    public int LowWeight { get; set; } = FairnessPolicy.DefaultLowWeight;

    /// <summary>A medium or low job that has waited this long is taken before anything else.</summary>
    public TimeSpan StarvationLimit { get; set; } = FairnessPolicy.DefaultStarvationLimit;

    public FairnessPolicy Fairness => new(HighWeight, MediumWeight, LowWeight, StarvationLimit);

    /// <summary>The backoff ceiling of the first retry; it doubles with each failure.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = RetryPolicy.DefaultBaseDelay;

    /// <summary>The largest backoff ceiling.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = RetryPolicy.DefaultMaxDelay;

    public RetryPolicy Retry => new(RetryBaseDelay, RetryMaxDelay);

    /// <summary>On shutdown, how long running jobs may take to finish before they are handed back.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a handler may ignore its fired token (timeout, cancellation) before it is abandoned.</summary>
    public TimeSpan AbandonGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the worker beats its heartbeat in Redis (and extends its leases).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long after its last heartbeat the worker counts as dead, and its jobs go to others.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the worker reports its load and metrics to PostgreSQL.</summary>
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A fault drill: this worker degrades on purpose, to check that the health monitor catches it. Off by default.</summary>
    public FaultDrillOptions Drill { get; set; } = new();

    /// <summary>Whether a degraded worker takes on fewer jobs at once, in proportion to its health score.</summary>
    public bool HealthAwareAcquisition { get; set; } = true;

    /// <summary>How long a job this worker cannot run (but another live worker can) waits before it is offered again.</summary>
    public TimeSpan UnhandledTypeDeferral { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The most distinct tag sets one metric keeps; measurements beyond it are counted under
    /// OpenTelemetry's overflow tag. A worker's metrics are tagged by job type and outcome.
    /// </summary>
    public int MetricCardinalityLimit { get; set; } = DefaultMetricCardinalityLimit;

    /// <summary>
    /// 100 job types with five outcomes each. OpenTelemetry reserves every point of a metric when
    /// the metric is created (72 bytes each): its own default, 2,000, held 9 MiB of a worker's
    /// 64 metrics.
    /// </summary>
    public const int DefaultMetricCardinalityLimit = 500;

    /// <summary>The shortest time span any of these options may be.</summary>
    public static readonly TimeSpan MinimumTimeSpan = TimeSpan.FromMilliseconds(10);

    public IEnumerable<string> Validate(string section)
    {
        if (Concurrency is < 1 or > 10_000)
        {
            yield return $"{section}:Concurrency must be between 1 and 10000 (was {Concurrency}).";
        }

        if (AcquireBatchSize is < 1 or > 1_000)
        {
            yield return $"{section}:AcquireBatchSize must be between 1 and 1000 (was {AcquireBatchSize}).";
        }

        foreach (var (name, value) in new[] { ("LeaseLength", LeaseLength), ("LeaseGrace", LeaseGrace), ("SafetyPollInterval", SafetyPollInterval), ("StarvationLimit", StarvationLimit),
            ("RetryBaseDelay", RetryBaseDelay), ("RetryMaxDelay", RetryMaxDelay), ("ShutdownGracePeriod", ShutdownGracePeriod),
            ("AbandonGrace", AbandonGrace), ("UnhandledTypeDeferral", UnhandledTypeDeferral),
            ("HeartbeatInterval", HeartbeatInterval), ("HeartbeatTimeout", HeartbeatTimeout), ("MetricsInterval", MetricsInterval) })
        {
            // Timers and Redis expiries count whole milliseconds: less, and a timer refuses to
            // start or a key expires at once.
            if (value < MinimumTimeSpan || value > TimeSpan.FromDays(1))
            {
                yield return $"{section}:{name} must be a time span from 00:00:00.010 to a day, such as 00:00:05 (was {value}).";
            }
        }

        foreach (var error in Drill.Validate($"{section}:Drill"))
        {
            yield return error;
        }

        if (StartWindow < TimeSpan.Zero || StartWindow >= LeaseLength)
        {
            yield return $"{section}:StartWindow must be zero or more and shorter than {section}:LeaseLength, such as 00:00:00.100 (was {StartWindow}).";
        }

        if (RetryMaxDelay < RetryBaseDelay)
        {
            yield return $"{section}:RetryMaxDelay must not be less than {section}:RetryBaseDelay (was {RetryMaxDelay} < {RetryBaseDelay}).";
        }

        if (HeartbeatTimeout <= HeartbeatInterval)
        {
            yield return $"{section}:HeartbeatTimeout must be longer than {section}:HeartbeatInterval, or a live worker would look dead between beats (was {HeartbeatTimeout} <= {HeartbeatInterval}).";
        }

        if (AbandonGrace >= LeaseGrace)
        {
            yield return $"{section}:AbandonGrace must be shorter than {section}:LeaseGrace, so the worker records a timeout before the job is rescued (was {AbandonGrace} >= {LeaseGrace}).";
        }

        if (MetricCardinalityLimit is < 10 or > 100_000)
        {
            yield return $"{section}:MetricCardinalityLimit must be between 10 and 100000 (was {MetricCardinalityLimit}).";
        }

        foreach (var (name, value) in new[] { ("HighWeight", HighWeight), ("MediumWeight", MediumWeight), ("LowWeight", LowWeight) })
        {
            if (value is < 1 or > 1_000)
            {
                yield return $"{section}:{name} must be between 1 and 1000 (was {value}).";
            }
        }
    }
}
