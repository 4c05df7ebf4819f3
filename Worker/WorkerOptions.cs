using AspireJobs.Core.Dispatch;
using AspireJobs.ServiceDefaults;

namespace AspireJobs.Worker;

/// <summary>Options of a worker, from the configuration section <c>Worker</c>.</summary>
public sealed class WorkerOptions : IValidatedOptions
{
    public const string Section = "Worker";

    /// <summary>How many jobs this worker runs at once.</summary>
    public int Concurrency { get; set; } = 32;

    /// <summary>The most jobs one acquisition takes from Redis.</summary>
    public int AcquireBatchSize { get; set; } = 64;

    /// <summary>How long a Redis lease lasts before heartbeats must extend it.</summary>
    public TimeSpan LeaseLength { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Added to a job's own timeout to give its PostgreSQL lease deadline: past it, the job is
    /// rescued even if this worker still seems alive.
    /// </summary>
    public TimeSpan LeaseGrace { get; set; } = TimeSpan.FromSeconds(30);

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

        foreach (var (name, value) in new[] { ("LeaseLength", LeaseLength), ("LeaseGrace", LeaseGrace), ("SafetyPollInterval", SafetyPollInterval), ("StarvationLimit", StarvationLimit) })
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
            {
                yield return $"{section}:{name} must be a positive time span of at most a day, such as 00:00:05 (was {value}).";
            }
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
