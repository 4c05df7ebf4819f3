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

    /// <summary>How often finished jobs and old events are purged.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long finished jobs (completed, dead-lettered, cancelled) and transition events are kept.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most rows one statement of these loops touches, so none holds locks for long.</summary>
    public int BatchSize { get; set; } = 1000;

    public IEnumerable<string> Validate(string section)
    {
        foreach (var (name, value) in new[]
        {
            ("PromoteInterval", PromoteInterval), ("RescueInterval", RescueInterval), ("ReconcileInterval", ReconcileInterval),
            ("RetentionInterval", RetentionInterval), ("Retention", Retention),
        })
        {
            if (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromDays(3650))
            {
                yield return $"{section}:{name} must be a time span from 00:00:00.010 to 3650 days (was {value}).";
            }
        }

        if (BatchSize is < 1 or > 100_000)
        {
            yield return $"{section}:BatchSize must be between 1 and 100000 (was {BatchSize}).";
        }
    }
}
