using System.Collections.Concurrent;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>How many times the AppHost restarted each resource instance (by its id, e.g. <c>worker-abcdefgh</c>).</summary>
public sealed class RestartCounts
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public int Of(string resourceId) => _counts.GetValueOrDefault(resourceId);

    public int Increment(string resourceId) => _counts.AddOrUpdate(resourceId, 1, (_, count) => count + 1);
}
