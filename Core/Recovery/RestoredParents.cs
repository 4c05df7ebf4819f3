using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Recovery;

/// <summary>
/// The jobs with dependents that a restore's batch took out of a finished state: their waiting dependents
/// had counted them done and wait for them again. A restore puts jobs back only to unfinished
/// states (waiting, scheduled, queued), so it never finishes a parent.
/// </summary>
public sealed class RestoredParents
{
    /// <summary>Taken back from completed: every dependent had counted it done.</summary>
    public List<Guid> FromCompleted { get; } = [];

    /// <summary>Taken back from dead_lettered or cancelled: the dependents that ignore a failure had counted it done.</summary>
    public List<Guid> FromFailed { get; } = [];

    public bool Any => FromCompleted.Count > 0 || FromFailed.Count > 0;

    public void Add(Guid id, JobStatus from, JobStatus to)
    {
        if (IsFinished(to))
        {
            return;
        }

        if (from == JobStatus.Completed)
        {
            FromCompleted.Add(id);
        }
        else if (from is JobStatus.DeadLettered or JobStatus.Cancelled)
        {
            FromFailed.Add(id);
        }
    }

    private static bool IsFinished(JobStatus status) => status is JobStatus.Completed or JobStatus.DeadLettered or JobStatus.Cancelled;
}
