using AspireJobs.Core.Jobs;
using AspireJobs.Worker.Execution;

namespace AspireJobs.Tests.Worker;

public sealed class RunningJobTests
{
    private static StartedJob Job() => new(Guid.NewGuid(), "t", "{}", 1, 0, 3, TimeSpan.FromMinutes(1), Guid.NewGuid()) { Fence = 1 };

    [Fact]
    public void TheSlotIsFreedOnce_WhenTheHandlerIsDone_BeforeTheOutcomeIsWritten()
    {
        var freed = 0;
        using var running = new RunningJob(Job(), () => freed++);

        running.MarkHandlerDone();
        Assert.Equal((1, false), (freed, running.Finished.IsCompleted));

        running.MarkHandlerDone();
        running.MarkFinished();
        Assert.Equal((1, true), (freed, running.Finished.IsCompleted));
    }

    [Fact]
    public void FinishingFreesTheSlot_WhenTheHandlerNeverReportedDone()
    {
        var freed = 0;
        using var running = new RunningJob(Job(), () => freed++);

        running.MarkFinished();

        Assert.Equal(1, freed);
    }
}
