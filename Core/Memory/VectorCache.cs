namespace AspireJobs.Core.Memory;

/// <summary>
/// The vectors of the most recently used texts (least recently used evicted): the same failure
/// repeated over thousands of jobs is one normalised text, embedded once. Not thread-safe: the
/// indexer's one embedding loop owns it.
/// </summary>
public sealed class VectorCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<(string Text, float[] Vector)>> _index = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Text, float[] Vector)> _recent = new();

    public int Count => _index.Count;

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public bool TryGet(string text, out float[] vector)
    {
        if (_index.TryGetValue(text, out var node))
        {
            _recent.Remove(node);
            _recent.AddFirst(node);
            Hits++;
            vector = node.Value.Vector;
            return true;
        }

        Misses++;
        vector = [];
        return false;
    }

    public void Add(string text, float[] vector)
    {
        if (capacity <= 0)
        {
            return;
        }

        if (_index.TryGetValue(text, out var existing))
        {
            _recent.Remove(existing);
        }
        else if (_index.Count >= capacity)
        {
            var oldest = _recent.Last!;
            _recent.RemoveLast();
            _index.Remove(oldest.Value.Text);
        }

        _index[text] = _recent.AddFirst((text, vector));
    }
}
