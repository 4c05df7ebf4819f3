namespace AspireJobs.Core.Memory;

/// <summary>
/// The k best-scoring items of a stream, kept in a min-heap of k entries: each offer costs
/// O(log k) at most, and most cost one comparison with the worst kept. Ties keep the earlier offer.
/// </summary>
public sealed class TopK
{
    private readonly int _k;
    private readonly PriorityQueue<int, (float Score, int Order)> _heap;

    public TopK(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _k = k;
        _heap = new PriorityQueue<int, (float, int)>(k, Comparer<(float Score, int Order)>.Create(static (a, b) =>
            a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Order.CompareTo(a.Order)));
    }

    public int Count => _heap.Count;

    /// <summary>The lowest score still kept once k are held; items scoring at most this need not be offered.</summary>
    public float Threshold => _heap.Count < _k ? float.NegativeInfinity : _heap.TryPeek(out _, out var worst) ? worst.Score : float.NegativeInfinity;

    public void Offer(int item, float score)
    {
        if (float.IsNaN(score))
        {
            return;
        }

        if (_heap.Count < _k)
        {
            _heap.Enqueue(item, (score, item));
        }
        else if (score > Threshold)
        {
            _heap.DequeueEnqueue(item, (score, item));
        }
    }

    /// <summary>The kept items, best first (equal scores in the order offered).</summary>
    public IReadOnlyList<(int Item, float Score)> Result() =>
        _heap.UnorderedItems.OrderByDescending(entry => entry.Priority.Score).ThenBy(entry => entry.Priority.Order)
            .Select(entry => (entry.Element, entry.Priority.Score)).ToList();
}
