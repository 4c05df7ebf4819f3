using AspireJobs.Core.Jobs;

namespace AspireJobs.Tests.Core.Jobs;

public sealed class UuidV7Tests
{
    [Fact]
    public void FirstAt_SortsAfterEveryIdCreatedBefore_AndBeforeEveryIdCreatedAfter()
    {
        var cutoff = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var first = UuidV7.FirstAt(cutoff).ToString();

        for (var i = 0; i < 100; i++)
        {
            Assert.True(string.CompareOrdinal(Guid.CreateVersion7(cutoff.AddMilliseconds(-1 - i)).ToString(), first) < 0);
            Assert.True(string.CompareOrdinal(Guid.CreateVersion7(cutoff.AddMilliseconds(1 + i)).ToString(), first) > 0);
        }

        Assert.Equal(7, UuidV7.FirstAt(cutoff).Version);
    }
}
