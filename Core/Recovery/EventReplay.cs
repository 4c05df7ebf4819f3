using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Recovery;

/// <summary>
/// A job's state at an earlier time, from its state now and the transitions logged since, undone
/// newest first. Working back from now reads only the events after that time, however long the
/// log: recovering the last hour costs the last hour's events. Every statement that changes a
/// job's status, priority or counters logs it, so undoing them in order is exact, except where a
/// counter was reset without a record of its old value: a requeued dead letter's failures are
/// taken to have been its retries used up (maxRetries + 1).
/// </summary>
public static class EventReplay
{
    /// <summary>
    /// The state before <paramref name="since"/> (the events after the time, oldest first) happened;
    /// null when the job did not exist then (its first event since created it).
    /// </summary>
    public static JobState? Undo(JobState now, IReadOnlyList<JobEvent> since)
    {
        if (since.Count == 0)
        {
            return now;
        }

        if (since[0].From is not { } status)
        {
            return null;
        }

        int attempts = now.Attempts, failures = now.Failures, crashes = now.Crashes;
        int priority = now.Priority, effectivePriority = now.EffectivePriority;
        var priorityChanged = false;
        for (var i = since.Count - 1; i >= 0; i--)
        {
            var e = since[i];
            // An attempt recorded whole is a start and an end in one event: both are undone.
            if (e.IsStart)
            {
                attempts--;
            }

            if (e.IsFailure)
            {
                failures--;
            }
            else if (e.IsRequeue)
            {
                failures = now.MaxRetries + 1;
            }

            if (e.IsCrash)
            {
                crashes--;
            }

            if (e.IsPriorityChange && e.PriorityBefore is { } before)
            {
                priority = before;
                priorityChanged = true;
            }
        }

        // Inheritance is not logged: an effective priority raised by dependents stands unless the
        // job's own priority changed since, which starts it again from the priority.
        if (priorityChanged)
        {
            effectivePriority = priority;
        }

        var scheduledAt = status == JobStatus.Scheduled
            ? FirstDueAfter(since) ?? now.ScheduledAt
            : now.ScheduledAt;
        return new JobState(status, priority, Math.Max(effectivePriority, priority), Math.Max(attempts, 0),
            Math.Clamp(failures, 0, Math.Max(attempts, 0)), Math.Clamp(crashes, 0, Math.Max(attempts, 0)), now.MaxRetries, scheduledAt);
    }

    /// <summary>
    /// A job scheduled then and promoted since came due when it was promoted; one still scheduled,
    /// or cancelled or re-prioritised since, keeps the due time it had (neither changes it).
    /// </summary>
    private static DateTimeOffset? FirstDueAfter(IReadOnlyList<JobEvent> since) =>
        since.FirstOrDefault(e => e.From == JobStatus.Scheduled && e.To == JobStatus.Queued)?.At;
}
