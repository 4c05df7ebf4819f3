using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Core.Jobs;

public sealed class JobRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ReadyStatus_IsQueued_ForAPlainJob() =>
        Assert.Equal(JobStatus.Queued, TestJobs.New().ReadyStatus(Now));

    [Fact]
    public void ReadyStatus_IsScheduled_OnlyWhileRunAtIsInTheFuture()
    {
        Assert.Equal(JobStatus.Scheduled, TestJobs.New(runAt: Now.AddSeconds(1)).ReadyStatus(Now));
        Assert.Equal(JobStatus.Queued, TestJobs.New(runAt: Now).ReadyStatus(Now));
        Assert.Equal(JobStatus.Queued, TestJobs.New(runAt: Now.AddDays(-1)).ReadyStatus(Now));
    }

    [Theory]
    [InlineData(5, PriorityBand.High)]
    [InlineData(4, PriorityBand.High)]
    [InlineData(3, PriorityBand.Medium)]
    [InlineData(2, PriorityBand.Medium)]
    [InlineData(1, PriorityBand.Low)]
    public void PriorityBands_PutEachPriorityInItsBand(int priority, PriorityBand band) =>
        Assert.Equal(band, PriorityBands.Of(priority));

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void PriorityBands_RefuseAPriorityOutOfRange(int priority) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PriorityBands.Of(priority));

    [Theory]
    [InlineData("noop", true)]
    [InlineData("images.resize:v2_final-1", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("slash/type", false)]
    [InlineData("ünicode", false)]
    public void IsValidType_FollowsTheContract(string type, bool valid) =>
        Assert.Equal(valid, JobLimits.IsValidType(type));

    [Fact]
    public void IsValidType_AllowsExactly200Characters()
    {
        Assert.True(JobLimits.IsValidType(new string('a', 200)));
        Assert.False(JobLimits.IsValidType(new string('a', 201)));
    }

    [Fact]
    public void JobStatusText_RoundTripsEveryStatus()
    {
        foreach (var status in Enum.GetValues<JobStatus>())
        {
            Assert.Equal(status, JobStatusText.Parse(JobStatusText.Of(status)));
        }

        Assert.Equal("dead_lettered", JobStatusText.Of(JobStatus.DeadLettered));
        Assert.False(JobStatusText.TryParse("done", out _));
    }
}
