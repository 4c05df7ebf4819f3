namespace AspireJobs.Core.Jobs;

/// <summary>
/// Where the transition log is settled: the highest id at or below which every id is either
/// committed and visible, or rolled back for good, so that a reader may pass a gap there at once.
/// Ids are taken at insert, not at commit, so a gap in them is a transaction still open or one
/// that rolled back; marks (<see cref="JobEventLogMark"/>), read one after another, tell them
/// apart: a mark's ids are settled once a later one finds every transaction begun before it
/// ended. Pure; one reader feeds it its marks in the order it read them.
/// </summary>
public sealed class JobEventLogSettling
{
    /// <summary>Marks kept while a transaction stays open; when full, the oldest goes (a later one settles its ids too).</summary>
    public const int MaxPendingMarks = 256;

    private readonly Queue<JobEventLogMark> _pending = new();

    /// <summary>Every id at or below this is settled (0: none known yet).</summary>
    public long SettledThrough { get; private set; }

    /// <summary>Takes a mark just read, and settles what it allows.</summary>
    public void Observe(JobEventLogMark mark)
    {
        // The earlier marks read before the oldest transaction still open began: every
        // transaction that took one of their ids has ended.
        while (_pending.TryPeek(out var earlier) && (mark.OpenWritesSince is not { } since || earlier.ReadAt < since))
        {
            Settle(_pending.Dequeue().LastEventId);
        }

        if (mark.OpenWritesSince is null)
        {
            // Nothing open as it looked, after its own ids were taken: they are settled too.
            Settle(mark.LastEventId);
            return;
        }

        _pending.Enqueue(mark);
        if (_pending.Count > MaxPendingMarks)
        {
            _pending.Dequeue();
        }
    }

    private void Settle(long lastEventId) => SettledThrough = Math.Max(SettledThrough, lastEventId);
}
