using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AspireJobs.Core.Telemetry;

/// <summary>
/// The counters and histograms of the Meter <c>AspireJobs</c>: jobs created and jobs cancelled
/// before they started (Api), attempts started and finished by outcome, a running job's
/// cancellation among them (Worker), attempts abandoned by a dead worker (HealthMonitor),
/// and the times that matter: due to start, run, and finishing write. Each measurement carries the
/// job type as <c>messaging.destination.name</c>, except the health monitor's abandoned attempts.
/// </summary>
public sealed class JobsMetrics
{
    /// <summary>
    /// Buckets in seconds, from half a millisecond (a warm pickup) to five minutes (the default
    /// timeout), for every histogram of durations: OpenTelemetry gives its own seconds buckets only
    /// to instruments it knows by name, and millisecond ones (0, 5, 10, ...) to the rest.
    /// </summary>
    public static readonly InstrumentAdvice<double> SecondsAdvice = new()
    {
        HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    };

    private readonly Counter<long> _created;
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _cancelled;
    private readonly Counter<long> _abandoned;
    private readonly Counter<long> _countDrift;
    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _run;
    private readonly Histogram<double> _finish;

    public JobsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(JobsTelemetry.Name);
        _created = meter.CreateCounter<long>("aspirejobs.jobs.created", "{job}", "Jobs created.");
        _started = meter.CreateCounter<long>("aspirejobs.jobs.started", "{attempt}", "Attempts started.");
        _completed = meter.CreateCounter<long>("aspirejobs.jobs.completed", "{job}", "Jobs whose handler succeeded.");
        _failed = meter.CreateCounter<long>("aspirejobs.jobs.failed", "{attempt}", "Attempts that failed or timed out, whether retried or dead-lettered.");
        _retried = meter.CreateCounter<long>("aspirejobs.jobs.retried", "{attempt}", "Failed attempts with a retry scheduled.");
        _deadLettered = meter.CreateCounter<long>("aspirejobs.jobs.dead_lettered", "{job}", "Jobs that failed with no retry left.");
        _cancelled = meter.CreateCounter<long>("aspirejobs.jobs.cancelled", "{job}", "Jobs cancelled by a client: before they started, or stopped while running. Dependents cancelled because a parent failed are not counted.");
        _abandoned = meter.CreateCounter<long>("aspirejobs.jobs.abandoned", "{attempt}", "Attempts abandoned: their worker died, shut down or lost the lease.");
        _countDrift = meter.CreateCounter<long>("aspirejobs.counts.drift", "{job}", "Differences found between the kept counts per state and a scan of the jobs, and corrected.");
        _wait = meter.CreateHistogram("aspirejobs.job.wait.duration", "s", "From when a job was due (created, its runAt, or its retry) to the start of its attempt.", advice: SecondsAdvice);
        _run = meter.CreateHistogram("aspirejobs.job.run.duration", "s", "How long a handler ran.", advice: SecondsAdvice);
        _finish = meter.CreateHistogram("aspirejobs.job.finish.duration", "s", "From a handler's end to its outcome committed in PostgreSQL (group-committed).", advice: SecondsAdvice);
    }

    public void Created(string type) => _created.Add(1, Destination(type));

    public void Started(string type, TimeSpan wait)
    {
        _started.Add(1, Destination(type));
        _wait.Record(Math.Max(0, wait.TotalSeconds), Destination(type));
    }

    public void Ran(string type, TimeSpan duration, string outcome) =>
        _run.Record(duration.TotalSeconds, Destination(type), new(JobsTelemetry.OutcomeTag, outcome));

    public void Completed(string type) => _completed.Add(1, Destination(type));

    public void Failed(string type, bool retried)
    {
        _failed.Add(1, Destination(type));
        (retried ? _retried : _deadLettered).Add(1, Destination(type));
    }

    public void Cancelled(string type) => _cancelled.Add(1, Destination(type));

    public void Abandoned(string type) => _abandoned.Add(1, Destination(type));

    /// <summary>Attempts the health monitor found abandoned (their worker died or their lease ran out); it does not read their types.</summary>
    public void Abandoned(int attempts)
    {
        if (attempts > 0)
        {
            _abandoned.Add(attempts);
        }
    }

    public void Finished(string type, TimeSpan writeLatency) => _finish.Record(writeLatency.TotalSeconds, Destination(type));

    public void CountDrift(string status, long jobs) => _countDrift.Add(jobs, new KeyValuePair<string, object?>(JobsTelemetry.StatusTag, status));

    private static KeyValuePair<string, object?> Destination(string type) => new(JobsTelemetry.DestinationTag, type);
}
