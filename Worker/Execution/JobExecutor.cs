using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Retries;
using AspireJobs.Core.Telemetry;
using AspireJobs.Worker.Fleet;
using AspireJobs.Worker.Drills;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.Options;
using System.Diagnostics;
using Npgsql;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// Runs one job on its Redis lease: its handler under a token that fires on the job's timeout, on
/// cancellation and on hand-back; then the outcome, written to PostgreSQL under the job's lease
/// token (so a worker that lost its lease changes nothing); then the Redis lease released. The
/// start is written with the outcome, one write for a short job, or on its own once the job
/// outlives <see cref="WorkerOptions.StartWindow"/>; a start refused then (the job was cancelled,
/// or its lease was lost) stops the handler and records nothing. A handler that ignores its token
/// is abandoned after a grace period and its slot freed.
/// </summary>
public sealed partial class JobExecutor(
    JobHandlerRegistry handlers,
    IServiceScopeFactory scopes,
    JobStore store,
    JobDispatcher dispatcher,
    StartBatcher starts,
    FinishBatcher finishes,
    WorkerIdentity identity,
    WorkerMetrics metrics,
    FaultDrill drill,
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
        // Armed before the call: a handler that works synchronously (CPU-bound before its first
        // await) holds this thread until it returns. Its token must still fire on time, and past
        // the start window the timer's thread watches it in this one's stead.
        running.StartTimer(_options.StartWindow, returned => WatchAsync(running, returned, TimeSpan.Zero, activity, startedAt, leaseDeadline));
        var handler = InvokeAsync(job, running.Token);
        if (running.CallReturned(handler) is { } takenOver)
        {
            await takenOver;
            running.MarkHandlerDone(); // abandoned inside its call, it kept its slot until now
            return;
        }

        await WatchAsync(running, handler, _options.StartWindow, activity, startedAt, leaseDeadline);
    }

    /// <summary>
    /// Watches a job from its handler's call to its outcome: what is left of the start window
    /// (none, when the call outlived it), the abandonment, and the outcome's write.
    /// </summary>
    private async Task WatchAsync(RunningJob running, Task<string?> handler, TimeSpan windowLeft, Activity? activity, long startedAt, DateTimeOffset leaseDeadline)
    {
        var job = running.Job;
        var start = job.Start;
        var startMayBeWritten = false; // its write failed: PostgreSQL may have committed it all the same

        var abandoned = false;
        if (!handler.IsCompleted)
        {
            // The start window and the abandonment only for handlers that did not finish at once:
            // most short jobs need neither.
            var stoppedThenGrace = WhenStoppedThenGraceAsync(running.Token);
            if (start is { } unwritten)
            {
                var windowEnds = Task.Delay(windowLeft, clock);
                if (await Task.WhenAny(handler, stoppedThenGrace, windowEnds) == windowEnds)
                {
                    if (await TryWriteStartAsync(unwritten) is { } written)
                    {
                        if (!written)
                        {
                            await GiveUpAsync(running, handler, stoppedThenGrace);
                            return;
                        }

                        start = null;
                    }
                    else
                    {
                        startMayBeWritten = true;
                    }
                }
            }

            await Task.WhenAny(handler, stoppedThenGrace);
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
                var finish = FinishOf(job, outcome) with { HasDependents = job.HasDependents, Start = start };
                finished = await FinishWithRetriesAsync(job, finish, leaseDeadline);
                if (finished is null && startMayBeWritten)
                {
                    // Not queued: the start whose write seemed to fail was committed, its answer
                    // lost. The job runs under this lease, and takes its outcome as any started job.
                    finished = await FinishWithRetriesAsync(job, finish with { Start = null }, leaseDeadline);
                }
            }

            jobsMetrics.Finished(job.Type, Stopwatch.GetElapsedTime(writeStart));
            if (finished is { } now)
            {
                CountOutcome(job.Type, now.Status, ran);
            }
            else if (start is null)
            {
                LogLeaseLost(job.Id, job.Type);
            }
            else
            {
                LogNotStarted(job.Id, job.Type);
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            LogRecordFailed(job.Id, job.Type, e.Message);
            if (start is null)
            {
                // Started in PostgreSQL: the job stays running there, and the health monitor
                // requeues it at its lease deadline, or once this worker stops.
                await dispatcher.ReleaseAsync(identity.Id, [job.Lease]);
            }
            else
            {
                // Its start unwritten (or written with its answer lost): the lease may be the only
                // trace of this attempt, PostgreSQL still having the job queued. It is kept, no
                // longer extended, and once it lapses the reconciler records the attempt abandoned
                // and puts the job back (or, had the start been written, the expired-lease rescuer
                // does). Released, the job would run again with no trace of this attempt.
                running.KeepLease();
            }
        }
    }

    /// <summary>
    /// Writes the start of a job that outlived the start window. Null when PostgreSQL could not
    /// be reached: the job runs on, on its Redis lease, and its start goes with its outcome.
    /// </summary>
    private async Task<bool?> TryWriteStartAsync(JobStart start)
    {
        try
        {
            return await starts.StartAsync(start);
        }
        catch (NpgsqlException e)
        {
            LogStartDeferred(start.JobId, e.Message);
            return null;
        }
    }

    /// <summary>
    /// The job was cancelled before its start was written, or its lease was lost (recorded
    /// abandoned, or taken by another worker): its handler is stopped, nothing is recorded, and
    /// the lease (if still this worker's) is released.
    /// </summary>
    private async Task GiveUpAsync(RunningJob running, Task<string?> handler, Task stoppedThenGrace)
    {
        running.Stop(StopReason.Cancelled);
        await Task.WhenAny(handler, stoppedThenGrace);
        _ = handler.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default); // observed, never rethrown
        running.MarkHandlerDone();
        LogNotStarted(running.Job.Id, running.Job.Type);
        await dispatcher.ReleaseAsync(identity.Id, [running.Job.Lease]);
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
                return await finishes.FinishAsync(finish, job.Lease);
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

    /// <summary>
    /// Counts the outcome PostgreSQL recorded, which a requested cancellation may have overridden,
    /// not the handler's: a success whose write was refused (its lease lost, the job cancelled as
    /// it started) is no completion of this worker's.
    /// </summary>
    private void CountOutcome(string type, JobStatus status, TimeSpan ran)
    {
        switch (status)
        {
            case JobStatus.Completed:
                jobsMetrics.Completed(type);
                metrics.RecordOutcome(type, ran, succeeded: true);
                break;
            case JobStatus.Scheduled or JobStatus.DeadLettered:
                jobsMetrics.Failed(type, retried: status == JobStatus.Scheduled);
                metrics.RecordOutcome(type, ran, succeeded: false);
                break;
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

        // Stopped before it began (handed back, or cancelled, as it started): its handler never runs.
        token.ThrowIfCancellationRequested();

        var context = new JobContext(job.Id, job.Type, job.Attempt, job.MaxRetries, job.Timeout, identity.Id)
        {
            ReadParents = async cancellationToken =>
                (await store.JobGetParentResultsAsync([job.Id], cancellationToken)).TryGetValue(job.Id, out var parents) ? parents : [],
        };

        await drill.BeforeHandlerAsync(token);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({JobType}) was cancelled, or its lease was lost, before its start was recorded; it was stopped and nothing of this attempt is recorded")]
    private partial void LogNotStarted(Guid jobId, string jobType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: recording its start failed ({Reason}); it runs on its Redis lease, and its start is recorded with its outcome")]
    private partial void LogStartDeferred(Guid jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}) attempt {Attempt} failed: {Reason}; {Decision}")]
    private partial void LogFailed(Guid jobId, string jobType, int attempt, string reason, string decision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}) ignored its cancellation for {GraceSeconds} s; abandoned, its slot is free again")]
    private partial void LogAbandoned(Guid jobId, string jobType, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}): writing its outcome failed (try {Try}: {Reason}); trying again in {DelaySeconds} s")]
    private partial void LogFinishRetried(Guid jobId, string jobType, int @try, string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} ({JobType}) finished but its outcome could not be recorded ({Reason}); it will be rescued once its lease expires")]
    private partial void LogRecordFailed(Guid jobId, string jobType, string reason);
}
