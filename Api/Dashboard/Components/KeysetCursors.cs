namespace AspireJobs.Api.Dashboard.Components;

/// <summary>
/// Where a list stands in keyset paging, as the list route pages: the cursor its page was read
/// from, and those of the pages before it, so "Newer" can go back.
/// </summary>
public sealed class KeysetCursors
{
    private readonly Stack<Guid?> _before = new();

    /// <summary>The cursor to read the current page from; null for the newest page.</summary>
    public Guid? Current { get; private set; }

    public bool HasNewer => _before.Count > 0;

    public void Older(Guid next)
    {
        _before.Push(Current);
        Current = next;
    }

    /// <summary>Back one page; on the newest page already, nothing.</summary>
    public void Newer()
    {
        if (_before.TryPop(out var newer))
        {
            Current = newer;
        }
    }

    public void Reset()
    {
        _before.Clear();
        Current = null;
    }
}
