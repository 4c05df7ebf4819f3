using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Recovery;

/// <summary>
/// The diff a restore answers, dry run or applied: how many jobs it looked at, what it does with
/// them (<see cref="RestoreAction"/>), how many would move (or moved) from each state to each,
/// and a page of examples. Applied, it also says how many were put back, how many changed under it
/// between reading and writing (left as they were), and the snapshot that undoes it.
/// </summary>
public sealed class RestoreReport(RestoreMode mode, int exampleLimit)
{
    private readonly Dictionary<(JobStatus From, JobStatus To), int> _transitions = [];
    private readonly Dictionary<RestoreAction, int> _actions = [];
    private readonly List<RestoreExample> _examples = [];

    public RestoreMode Mode => mode;

    public bool Applied { get; set; }

    public int Considered { get; private set; }

    public int Restored { get; set; }

    /// <summary>Jobs that changed between the plan and their batch's write: a guard kept them as they were.</summary>
    public int ChangedMeanwhile { get; set; }

    public Guid? UndoSnapshotId { get; set; }

    public IReadOnlyDictionary<RestoreAction, int> Actions => _actions;

    /// <summary>Restorations by current and target state, most first.</summary>
    public IReadOnlyList<RestoreTransition> Transitions =>
        [.. _transitions.Select(t => new RestoreTransition(t.Key.From, t.Key.To, t.Value)).OrderByDescending(t => t.Count).ThenBy(t => t.From).ThenBy(t => t.To)];

    public IReadOnlyList<RestoreExample> Examples => _examples;

    /// <summary>Counts one job's decision; the first jobs to be restored become examples.</summary>
    public void Add(RestoreTarget target, JobNow? now, RestoreAction action)
    {
        Considered++;
        _actions[action] = _actions.GetValueOrDefault(action) + 1;
        if (action != RestoreAction.Restore)
        {
            return;
        }

        var key = (now!.Status, target.Status);
        _transitions[key] = _transitions.GetValueOrDefault(key) + 1;
        if (_examples.Count < exampleLimit)
        {
            _examples.Add(new RestoreExample(target.Id, now.Type, now.Status, target.Status, now.Priority, target.Priority, now.Attempts, target.Attempts));
        }
    }
}

/// <summary>How many jobs go from one state to another.</summary>
public sealed record RestoreTransition(JobStatus From, JobStatus To, int Count);

/// <summary>One job a restore puts back: as it is, and as it will be.</summary>
public sealed record RestoreExample(Guid Id, string Type, JobStatus From, JobStatus To, int PriorityFrom, int PriorityTo, int AttemptsNow, int AttemptsThen);
