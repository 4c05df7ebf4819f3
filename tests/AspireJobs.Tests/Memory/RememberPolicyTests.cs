using AspireJobs.Core.Jobs;
using AspireJobs.Core.Memory;

namespace AspireJobs.Tests.Memory;

public sealed class RememberPolicyTests
{
    private static FinishedAttempt Attempt(ExecutionStatus status, JobStatus after, string type = "t", Guid? job = null) =>
        new(1, job ?? Guid.NewGuid(), 1, type, after, status, null, TimeSpan.Zero);

    [Fact]
    public void Remember_KeepsEveryFailure_AndNoSuccess_AtRateZero()
    {
        var policy = new RememberPolicy(0);

        Assert.Equal(ExecutionOutcome.Failed, policy.Remember(Attempt(ExecutionStatus.Failed, JobStatus.Scheduled)));
        Assert.Equal(ExecutionOutcome.TimedOut, policy.Remember(Attempt(ExecutionStatus.TimedOut, JobStatus.Scheduled)));
        Assert.Equal(ExecutionOutcome.DeadLettered, policy.Remember(Attempt(ExecutionStatus.Failed, JobStatus.DeadLettered)));
        Assert.Null(policy.Remember(Attempt(ExecutionStatus.Completed, JobStatus.Completed)));
        Assert.Null(policy.Remember(Attempt(ExecutionStatus.Abandoned, JobStatus.Queued)));
    }

    [Fact]
    public void Remember_SamplesSuccesses_AtAboutTheRate_TheSameJobsEveryTime_PerType()
    {
        var policy = new RememberPolicy(0.05, new Dictionary<string, double> { ["all"] = 1 });
        var jobs = Enumerable.Range(0, 20_000).Select(_ => Guid.NewGuid()).ToList();

        var sampled = jobs.Where(job => policy.Remember(Attempt(ExecutionStatus.Completed, JobStatus.Completed, job: job)) is not null).ToList();

        Assert.InRange(sampled.Count, 800, 1200);
        Assert.All(sampled, job => Assert.True(RememberPolicy.IsSampled(job, 0.05)));
        Assert.All(jobs.Take(100), job => Assert.NotNull(policy.Remember(Attempt(ExecutionStatus.Completed, JobStatus.Completed, "all", job))));
    }

    [Fact]
    public void MayRememberCompleted_RulesOutOnlyJobsNoTypesRateWouldSample()
    {
        var policy = new RememberPolicy(0.05, new Dictionary<string, double> { ["hot"] = 0.2, ["cold"] = 0 });
        var jobs = Enumerable.Range(0, 20_000).Select(_ => Guid.NewGuid()).ToList();

        var candidates = jobs.Where(policy.MayRememberCompleted).ToHashSet();

        Assert.InRange(candidates.Count, 3_600, 4_400); // the highest rate, 0.2
        foreach (var type in new[] { "hot", "cold", "other" })
        {
            Assert.All(jobs.Where(job => policy.Remember(Attempt(ExecutionStatus.Completed, JobStatus.Completed, type, job)) is not null),
                job => Assert.Contains(job, candidates));
        }
    }
}
