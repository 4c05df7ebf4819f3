using AspireJobs.Core.Jobs;
using AspireJobs.Core.Recovery;

namespace AspireJobs.Tests.Core.Recovery;

public sealed class RestoredParentsTests
{
    [Theory]
    [InlineData(JobStatus.Completed, JobStatus.Queued, "completed")]
    [InlineData(JobStatus.Completed, JobStatus.Waiting, "completed")]
    [InlineData(JobStatus.DeadLettered, JobStatus.Scheduled, "failed")]
    [InlineData(JobStatus.Cancelled, JobStatus.Queued, "failed")]
    [InlineData(JobStatus.Queued, JobStatus.Waiting, "")]
    [InlineData(JobStatus.Scheduled, JobStatus.Queued, "")]
    [InlineData(JobStatus.Queued, JobStatus.Cancelled, "")]
    public void Add_KeepsTheJobsTakenOutOfAFinishedState_ByHowTheyEnded(JobStatus from, JobStatus to, string expected)
    {
        var parents = new RestoredParents();
        var id = Guid.NewGuid();

        parents.Add(id, from, to);

        Assert.Equal(expected == "completed", parents.FromCompleted.Contains(id));
        Assert.Equal(expected == "failed", parents.FromFailed.Contains(id));
        Assert.Equal(expected != "", parents.Any);
    }
}
