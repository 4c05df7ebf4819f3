using AspireJobs.Core.Jobs;
using AspireJobs.Core.Recovery;

namespace AspireJobs.Tests.Core.Recovery;

public sealed class RestoreDecisionTests
{
    private static readonly DateTimeOffset Due = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly RestoreTarget QueuedBefore = new(Guid.NewGuid(), JobStatus.Queued, 3, 3, 1, 0, 0, Due);

    [Theory]
    [InlineData(RestoreMode.NewestWins, JobStatus.Cancelled, 1, RestoreAction.Restore)]
    [InlineData(RestoreMode.Skip, JobStatus.Cancelled, 1, RestoreAction.Restore)]
    [InlineData(RestoreMode.Overwrite, JobStatus.Cancelled, 1, RestoreAction.Restore)]
    [InlineData(RestoreMode.NewestWins, JobStatus.Completed, 2, RestoreAction.KeptByMode)]
    [InlineData(RestoreMode.Skip, JobStatus.Completed, 2, RestoreAction.KeptByMode)]
    [InlineData(RestoreMode.Overwrite, JobStatus.Completed, 2, RestoreAction.Restore)]
    [InlineData(RestoreMode.NewestWins, JobStatus.DeadLettered, 4, RestoreAction.Restore)]
    [InlineData(RestoreMode.Skip, JobStatus.DeadLettered, 4, RestoreAction.KeptByMode)]
    [InlineData(RestoreMode.Overwrite, JobStatus.Running, 2, RestoreAction.KeptRunning)]
    [InlineData(RestoreMode.Overwrite, JobStatus.Queued, 1, RestoreAction.Unchanged)]
    public void Decide_FollowsTheMode_ForAJobThatWasQueued(RestoreMode mode, JobStatus now, int attemptsNow, RestoreAction expected) =>
        Assert.Equal(expected, RestoreDecision.Decide(mode, QueuedBefore, new JobNow("noop", now, 3, attemptsNow, Due, 0, 0, false)));

    [Fact]
    public void Decide_RestoresAPriorityChangedAlone_AndReportsAJobThatIsGone()
    {
        Assert.Equal(RestoreAction.Restore, RestoreDecision.Decide(RestoreMode.Skip, QueuedBefore, new JobNow("noop", JobStatus.Queued, 5, 1, Due, 0, 0, false)));
        Assert.Equal(RestoreAction.Missing, RestoreDecision.Decide(RestoreMode.Overwrite, QueuedBefore, null));
    }

    [Fact]
    public void IsUnchanged_ForAScheduledJob_AlsoComparesItsDueTime()
    {
        var scheduled = QueuedBefore with { Status = JobStatus.Scheduled };

        Assert.True(RestoreDecision.IsUnchanged(scheduled, new JobNow("noop", JobStatus.Scheduled, 3, 1, Due, 0, 0, false)));
        Assert.False(RestoreDecision.IsUnchanged(scheduled, new JobNow("noop", JobStatus.Scheduled, 3, 1, Due.AddMinutes(5), 0, 0, false)));
    }

    [Fact]
    public void AJobThatUsedRetriesSince_IsNotUnchanged_SoNewestWinsGivesThemBack()
    {
        var failedTwiceSince = new JobNow("noop", JobStatus.Queued, 3, 3, Due, 2, 0, false);
        var crashedSince = new JobNow("noop", JobStatus.Queued, 3, 2, Due, 0, 1, false);

        Assert.False(RestoreDecision.IsUnchanged(QueuedBefore, failedTwiceSince));
        Assert.Equal(RestoreAction.Restore, RestoreDecision.Decide(RestoreMode.NewestWins, QueuedBefore, failedTwiceSince));
        Assert.Equal(RestoreAction.Restore, RestoreDecision.Decide(RestoreMode.NewestWins, QueuedBefore, crashedSince));
        Assert.Equal(RestoreAction.KeptByMode, RestoreDecision.Decide(RestoreMode.Skip, QueuedBefore, failedTwiceSince));
    }
}
