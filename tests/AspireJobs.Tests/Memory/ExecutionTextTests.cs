using AspireJobs.Core.Memory;

namespace AspireJobs.Tests.Memory;

public sealed class ExecutionTextTests
{
    [Fact]
    public void Normalise_ReplacesIdsNumbersHexAndAddresses_WithPlaceholders()
    {
        var text = ExecutionText.Normalise(
            "job 0192f3a4-5b6c-7d8e-9f01-23456789abcd failed at 0x7ffd3a2b after 5003 ms on 10.1.2.3:5432, trace 4bf92f3577b34da6, retry 3 of 10");

        Assert.Equal("job <id> failed at <hex> after <n> ms on <ip>, trace <hex>, retry <n> of <n>", text);
    }

    [Fact]
    public void NormaliseError_GivesOneText_ForTwoOccurrencesOfTheSameFault()
    {
        var first = ExecutionText.NormaliseError("InvalidOperationException: connection to 10.0.0.5:5432 refused after 3 tries (session 9a8b7c6d5e4f3a2b)");
        var second = ExecutionText.NormaliseError("InvalidOperationException: connection to 10.0.0.17:6432 refused after 12 tries (session 1f2e3d4c5b6a7988)");

        Assert.Equal(first, second);
        Assert.Equal("InvalidOperationException: connection to <ip> refused after <n> tries (session <hex>)", first);
    }

    [Theory]
    [InlineData("TimeoutException: gateway did not answer", "TimeoutException")]
    [InlineData("System.Net.Sockets.SocketException: Connection refused", "SocketException")]
    [InlineData("InvalidOperationException: TimeoutException: gateway did not answer", "InvalidOperationException")]
    [InlineData("Timed out after 5000 ms.", null)]
    [InlineData("The handler was cancelled.", null)]
    [InlineData("", null)]
    public void ErrorClass_IsTheLeadingExceptionName_WithoutItsNamespace(string error, string? expected) =>
        Assert.Equal(expected, ExecutionText.ErrorClass(error));

    [Fact]
    public void Build_NamesTheErrorTypeOutcomeAndDurationBucket()
    {
        var text = ExecutionText.Build("email.send", ExecutionOutcome.DeadLettered,
            "System.TimeoutException: smtp 192.168.0.9 did not answer in 30000 ms", TimeSpan.FromSeconds(30.2));

        Assert.Equal("TimeoutException: smtp <ip> did not answer in <n> ms | job type email.send | dead_lettered | took <1min", text);
    }

    [Fact]
    public void Build_WithoutAnError_NamesTheTypeAndOutcomeOnly()
    {
        Assert.Equal("job type noop | completed | took <10ms", ExecutionText.Build("noop", ExecutionOutcome.Completed, null, TimeSpan.FromMilliseconds(2)));
        Assert.Equal("job type noop | timed_out", ExecutionText.Build("noop", ExecutionOutcome.TimedOut, "  ", null));
    }

    [Fact]
    public void Build_KeepsAtMostTheFirstThousandCharactersOfAnError()
    {
        var text = ExecutionText.Build("t", ExecutionOutcome.Failed, "IOException: " + new string('x', 5000), null);

        Assert.True(text.Length < ExecutionText.MaxErrorLength + 100, $"{text.Length} characters");
    }

    [Theory]
    [InlineData(0, "<10ms")]
    [InlineData(9.9, "<10ms")]
    [InlineData(10, "<100ms")]
    [InlineData(999, "<1s")]
    [InlineData(1000, "<10s")]
    [InlineData(59_999, "<1min")]
    [InlineData(60_000, ">=1min")]
    public void DurationBucket_HasSixBuckets(double milliseconds, string bucket) =>
        Assert.Equal(bucket, ExecutionText.DurationBucket(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData("completed", "completed", "completed")]
    [InlineData("failed", "scheduled", "failed")]
    [InlineData("timed_out", "scheduled", "timed_out")]
    [InlineData("failed", "dead_lettered", "dead_lettered")]
    [InlineData("timed_out", "dead_lettered", "dead_lettered")]
    [InlineData("failed", "cancelled", null)]
    [InlineData("abandoned", "queued", null)]
    [InlineData("cancelled", "cancelled", null)]
    public void Outcome_OfAFinish_FollowsTheExecutionAndWhereTheJobWent(string execution, string jobAfter, string? expected)
    {
        var outcome = ExecutionOutcomeText.Of(AspireJobs.Core.Jobs.ExecutionStatusText.Parse(execution), AspireJobs.Core.Jobs.JobStatusText.Parse(jobAfter));

        Assert.Equal(expected, outcome is { } o ? ExecutionOutcomeText.Of(o) : null);
    }
}
