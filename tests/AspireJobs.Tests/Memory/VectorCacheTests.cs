using AspireJobs.Core.Memory;

namespace AspireJobs.Tests.Memory;

public sealed class VectorCacheTests
{
    [Fact]
    public void TheLeastRecentlyUsedText_IsEvicted_AndHitsAreCounted()
    {
        var cache = new VectorCache(2);
        cache.Add("a", [1]);
        cache.Add("b", [2]);
        Assert.True(cache.TryGet("a", out _)); // a is now the most recent
        cache.Add("c", [3]);                    // evicts b

        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("c", out var c));
        Assert.Equal([3f], c);
        Assert.Equal((2L, 1L, 2), (cache.Hits, cache.Misses, cache.Count));
    }
}
