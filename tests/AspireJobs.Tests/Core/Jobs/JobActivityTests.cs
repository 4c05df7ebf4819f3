using AspireJobs.Core.Jobs;

namespace AspireJobs.Tests.Core.Jobs;

public sealed class JobActivityTests
{
    [Fact]
    public void TheChartsBuckets_EndWithTheLastWholeOne_NotTheOneStillFilling()
    {
        var now = new DateTimeOffset(2026, 12, 7, 10, 0, 3, TimeSpan.Zero); // 3 s into a bucket

        var starts = JobActivity.WholeBucketsBefore(now, TimeSpan.FromMinutes(15));

        Assert.Equal(90, starts.Count);
        Assert.Equal(now.AddSeconds(-13), starts[^1]); // 09:59:50, ended at 10:00:00
        Assert.Equal(now.AddSeconds(-3) - TimeSpan.FromMinutes(15), starts[0]);
        Assert.All(starts.Zip(starts.Skip(1)), pair => Assert.Equal(JobActivity.BucketWidth, pair.Second - pair.First));
    }
}
