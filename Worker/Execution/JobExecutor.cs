using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Retries;
using AspireJobs.Core.Telemetry;
using AspireJobs.Worker.Fleet;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.Options;
using System.Diagnostics;
using Npgsql;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// Runs one started job: its handler under a token that fires on the job's timeout, on
/// cancellation and on hand-back; then the outcome, written to PostgreSQL under the job's lease
/// token (so a worker that lost its lease changes nothing); then the Redis lease released.
/// A handler that ignores its token is abandoned after a grace period and its slot freed.
/// </summary>
public sealed partial class JobExecutor(
    JobHandlerRegistry handlers,
    IServiceScopeFactory scopes,
    JobStore store,
    JobDispatcher dispatcher,
    FinishBatcher finishes,
    WorkerIdentity identity,
    WorkerMetrics metrics,
    JobsMetrics jobsMetrics,
    TimeProvider clock,
    IOptions<WorkerOptions> options,
    ILogger<JobExecutor> logger)
{
    private readonly WorkerOptions _options = options.Value;
    private readonly RetryPolicy _retry = options.Value.Retry;

    public async Task RunAsync(RunningJob running)
    {
        var job = running.Job;
        // While PostgreSQL may still hold this attempt's lease (the rescuer takes it after the
        // job's timeout plus the grace), its outcome is worth writing again after a failure.
        var leaseDeadline = clock.GetUtcNow() + job.Timeout + _options.LeaseGrace;
        using var scope = logger.BeginScope(new JobLogScope(job.Id, job.Type, job.Attempt));
        using var activity = JobsTracing.StartProcess(job);
        jobsMetrics.Started(job.Type, job.Wait);
        var startedAt = Stopwatch.GetTimestamp();
        var handler = InvokeAsync(job, running.Token);

        var abandoned = false;
        if (!handler.IsCompleted)
        {
            // A timer only for handlers that did not finish at once: most short jobs need none.
            running.StartTimeout();
            await Task.WhenAny(handler, WhenStoppedThenGraceAsync(running.Token));
            abandoned = !handler.IsCompleted;
            if (abandoned)
            {
                LogAbandoned(job.Id, job.Type, _options.AbandonGrace.TotalSeconds);
                _ = handler.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default); // observed, never rethrown
            }
        }

        var outcome = JobOutcome.Of(running, handler, abandoned);
        running.MarkHandlerDone(); // the slot is free while the outcome is written
        var ran = Stopwatch.GetElapsedTime(startedAt);
        jobsMetrics.Ran(job.Type, ran, outcome.Name);
        if (outcome is JobOutcome.Succeeded or JobOutcome.Failed)
        {
            metrics.RecordOutcome(job.Type, ran, outcome is JobOutcome.Succeeded);
        }

        if (outcome is JobOutcome.Failed failed)
        {
            JobsTracing.SetError(activity, failed.ErrorType, failed.Error);
        }

        try
        {
            // Batched with the other outcomes of the moment; the batch releases its own leases.
            var writeStart = Stopwatch.GetTimestamp();
            FinishedJob? finished;
            using (JobsTracing.StartSettle(job))
            {
                finished = await FinishWithRetriesAsync(job, FinishOf(job, outcome) with { HasDependents = job.HasDependents }, leaseDeadline);
            }

            jobsMetrics.Finished(job.Type, Stopwatch.GetElapsedTime(writeStart));
            if (finished is { } now)
            {
                CountOutcome(job.Type, now.Status);
            }
            else
            {
                LogLeaseLost(job.Id, job.Type);
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The job stays running in PostgreSQL; the lease rescue requeues it after its deadline.
            LogRecordFailed(job.Id, job.Type, e.Message);
            await dispatcher.ReleaseAsync(identity.Id, [job.Id]);
        }
    }

    /// <summary>
    /// Writes the outcome, and again after a transient failure (PostgreSQL restarting, out of
    /// connections, a dropped connection) with a growing delay, until it is written or the lease
    /// could have passed to the rescuer. The write is fenced by the lease token, so writing it
    /// twice is harmless; giving up at once left the job running until its deadline, minutes away.
    /// </summary>
    private async Task<FinishedJob?> FinishWithRetriesAsync(StartedJob job, JobFinish finish, DateTimeOffset leaseDeadline)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await finishes.FinishAsync(finish);
            }
            catch (NpgsqlException e) when (e.IsTransient && clock.GetUtcNow() + delay < leaseDeadline)
            {
                LogFinishRetried(job.Id, job.Type, attempt, e.Message, delay.TotalSeconds);
                await Task.Delay(delay, clock);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, FinishRetryMaxDelay.Ticks));
            }
        }
    }

    private static readonly TimeSpan FinishRetryMaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Counts the outcome as written, which a requested cancellation may have overridden.</summary>
    private void CountOutcome(string type, JobStatus status)
    {
        switch (status)
        {
            case JobStatus.Completed: jobsMetrics.Completed(type); break;
            case JobStatus.Scheduled: jobsMetrics.Failed(type, retried: true); break;
            case JobStatus.DeadLettered: jobsMetrics.Failed(type, retried: false); break;
            case JobStatus.Cancelled: jobsMetrics.Cancelled(type); break;
            default: jobsMetrics.Abandoned(type); break; // handed back
        }
    }

    /// <summary>The one finishing write of an outcome; a requested cancellation wins in the statement itself.</summary>
    private JobFinish FinishOf(StartedJob job, JobOutcome outcome)
    {
        switch (outcome)
        {
            case JobOutcome.Succeeded success:
                return JobFinish.Completed(job.Id, job.LeaseToken, success.ResultJson);

            case JobOutcome.Failed failure:
                var decision = _retry.Decide(job.Failures + 1, job.MaxRetries, failure.Permanent, Random.Shared);
                LogFailed(job.Id, job.Type, job.Attempt, failure.Error, decision.Retry ? $"retry in {decision.Delay.TotalSeconds:0.0} s" : "dead-lettered");
                return decision.Retry
                    ? JobFinish.Retry(job.Id, job.LeaseToken, failure.Status, failure.Error, clock.GetUtcNow() + decision.Delay)
                    : JobFinish.DeadLettered(job.Id, job.LeaseToken, failure.Status, failure.Error);

            case JobOutcome.HandedBack handBack:
                return JobFinish.HandedBack(job.Id, job.LeaseToken, handBack.Reason);

            default:
                return JobFinish.Cancelled(job.Id, job.LeaseToken);
        }
    }

    private async Task<string?> InvokeAsync(StartedJob job, CancellationToken token)
    {
        if (!handlers.TryGet(job.Type, out var invoker))
        {
            throw new PermanentJobException($"No handler for job type '{job.Type}' on this worker.");
        }

        var context = new JobContext(job.Id, job.Type, job.Attempt, job.MaxRetries, job.Timeout, identity.Id)
        {
            ReadParents = async cancellationToken =>
                (await store.JobGetParentResultsAsync([job.Id], cancellationToken)).TryGetValue(job.Id, out var parents) ? parents : [],
        };

        await using var scope = scopes.CreateAsyncScope();
        return await invoker.InvokeAsync(scope.ServiceProvider, job.PayloadJson, context, token);
    }

    /// <summary>Completes <see cref="WorkerOptions.AbandonGrace"/> after the token fires; never before.</summary>
    private async Task WhenStoppedThenGraceAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }
        catch (OperationCanceledException)
        {
            await Task.Delay(_options.AbandonGrace, CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}) finished after its lease was taken over; its outcome was not recorded")]
    private partial void LogLeaseLost(Guid jobId, string jobType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}) attempt {Attempt} failed: {Reason}; {Decision}")]
    private partial void LogFailed(Guid jobId, string jobType, int attempt, string reason, string decision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}) ignored its cancellation for {GraceSeconds} s; abandoned, its slot is free again")]
    private partial void LogAbandoned(Guid jobId, string jobType, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}): writing its outcome failed (try {Try}: {Reason}); trying again in {DelaySeconds} s")]
    private partial void LogFinishRetried(Guid jobId, string jobType, int @try, string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} ({JobType}) finished but its outcome could not be recorded ({Reason}); it will be rescued when its lease expires")]
    private partial void LogRecordFailed(Guid jobId, string jobType, string reason);
}
