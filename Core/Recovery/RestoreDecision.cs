using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Recovery;

/// <summary>The rule of a restore for one job, pure: target state, the job now, and the mode.</summary>
public static class RestoreDecision
{
    public static RestoreAction Decide(RestoreMode mode, RestoreTarget target, JobNow? now)
    {
        if (now is null)
        {
            return RestoreAction.Missing;
        }

        if (now.Status == JobStatus.Running)
        {
            return RestoreAction.KeptRunning;
        }

        if (IsUnchanged(target, now))
        {
            return RestoreAction.Unchanged;
        }

        var ranSince = now.Attempts > target.Attempts || now.Status == JobStatus.Completed;
        return mode switch
        {
            RestoreMode.Overwrite => RestoreAction.Restore,
            RestoreMode.Skip when ranSince => RestoreAction.KeptByMode,
            RestoreMode.NewestWins when now.Status == JobStatus.Completed => RestoreAction.KeptByMode,
            _ => RestoreAction.Restore,
        };
    }

    /// <summary>
    /// Same state, priority and retries used (and, when scheduled, the same due time to the
    /// millisecond): nothing to put back. A job that failed since and is queued again is not
    /// unchanged: putting it back gives back the retries it used.
    /// </summary>
    public static bool IsUnchanged(RestoreTarget target, JobNow now) =>
        now.Status == target.Status
        && now.Priority == target.Priority
        && now.Failures == target.Failures
        && now.Crashes == target.Crashes
        && (target.Status != JobStatus.Scheduled || Math.Abs((now.ScheduledAt - target.RunAt).TotalMilliseconds) < 1);
}
