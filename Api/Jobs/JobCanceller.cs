using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Telemetry;

namespace AspireJobs.Api.Jobs;

/// <summary>The result of a cancellation request.</summary>
public enum CancelResult
{
    /// <summary>It had not started; it is cancelled now.</summary>
    Cancelled,

    /// <summary>It is running; its worker was told and it ends cancelled when its handler stops.</summary>
    Requested,

    /// <summary>It had already finished (completed, dead-lettered or cancelled).</summary>
    AlreadyFinished,

    /// <summary>It moved on at every try, unfinished still: the client may try again.</summary>
    KeptMoving,

    NotFound,
}

/// <summary>
/// Cancels jobs. A job that has not started is cancelled at once in PostgreSQL and taken out of
/// its band; a worker that runs it on its lease, its start not yet written, is told to stop it
/// and can no longer record it. For a running job the request is recorded (so no retry or hand-back revives it) and
/// published, and the worker running it fires the job's token. PostgreSQL has the decision: a
/// stale band entry is dropped by the worker that takes it or by the reconciler, and a lost
/// message is caught by the worker's next metrics report, which reads the cancellation requests
/// of the jobs it runs.
/// </summary>
public sealed class JobCanceller(JobStore store, JobDispatcher dispatcher, RedisFollowUp followUp, JobsMetrics metrics)
{
    /// <summary>Times the two statements are tried while the job keeps moving between them; one move is already rare.</summary>
    private const int MaxRounds = 5;

    public async Task<CancelResult> CancelAsync(Guid id, CancellationToken cancellationToken)
    {
        for (var round = 1; ; round++)
        {
            if (await store.JobSetCancelledIfPendingAsync(id, cancellationToken) is { } cancelled)
            {
                if (cancelled.Previous == JobStatus.Queued)
                {
                    await followUp.TryAsync(() => dispatcher.DequeueAsync([id]), $"job {id} out of its band, cancelled");
                    // A worker may be running it on its lease, its start not yet written: it stops it.
                    await followUp.TryAsync(() => dispatcher.PublishCancellationAsync(id), $"the cancellation of job {id}");
                }

                // Dependents released by their policy, ancestors no longer lifted by this job.
                await followUp.TryAsync(() => dispatcher.ApplyAsync(cancelled.Workflow), $"the jobs job {id}'s cancellation released or lowered");
                metrics.Cancelled(cancelled.Type); // no worker records a job cancelled before it started
                return CancelResult.Cancelled;
            }

            if (await store.JobSetCancelRequestedIfRunningAsync(id, cancellationToken))
            {
                await followUp.TryAsync(() => dispatcher.PublishCancellationAsync(id), $"the cancellation of running job {id}");
                return CancelResult.Requested;
            }

            // Neither pending at the first statement nor running at the second: finished, or it
            // moved between them (a running job's retry scheduled, its hand-back queued), and the
            // cancellation is tried again rather than refused.
            if (await store.JobGetByIdAsync(id, cancellationToken) is not { } job)
            {
                return CancelResult.NotFound;
            }

            if (job.Status is JobStatus.Completed or JobStatus.DeadLettered or JobStatus.Cancelled)
            {
                return CancelResult.AlreadyFinished;
            }

            if (round == MaxRounds)
            {
                return CancelResult.KeptMoving;
            }
        }
    }
}
