using AspireJobs.Core.Jobs;
using AspireJobs.Worker.Execution;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.Worker;

public sealed class JobOutcomeTests
{
    private readonly FakeTimeProvider _clock = new();

    private RunningJob Running(TimeSpan? timeout = null) =>
        new(new StartedJob(Guid.NewGuid(), "t", "{}", 1, 0, 3, timeout ?? TimeSpan.FromMinutes(1), Guid.NewGuid()) { Fence = 1 }, () => { }, _clock);

    [Fact]
    public void Of_IsSucceeded_WhenTheHandlerReturned_EvenIfItWasAskedToStop()
    {
        using var running = Running();
        running.Stop(StopReason.Cancelled);

        Assert.Equal(new JobOutcome.Succeeded("1"), JobOutcome.Of(running, Task.FromResult<string?>("1"), abandoned: false));
    }

    [Fact]
    public void Of_IsCancelled_WhenAClientCancelled()
    {
        using var running = Running();
        running.Stop(StopReason.Cancelled);

        Assert.IsType<JobOutcome.Cancelled>(JobOutcome.Of(running, Task.FromCanceled<string?>(running.Token), abandoned: false));
    }

    [Fact]
    public void Of_IsHandedBack_WhenTheWorkerShutDown()
    {
        using var running = Running();
        running.Stop(StopReason.HandedBack);

        Assert.IsType<JobOutcome.HandedBack>(JobOutcome.Of(running, Task.FromCanceled<string?>(running.Token), abandoned: false));
    }

    [Fact]
    public void Of_IsATimedOutFailure_WhenOnlyTheTimeoutFired()
    {
        using var running = Running(TimeSpan.FromSeconds(30));
        running.StartTimer(TimeSpan.FromMinutes(1), _ => Task.CompletedTask); // no window before the timeout
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(running.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromSeconds(1));

        var outcome = Assert.IsType<JobOutcome.Failed>(JobOutcome.Of(running, Task.FromCanceled<string?>(running.Token), abandoned: true));

        Assert.Equal(ExecutionStatus.TimedOut, outcome.Status);
        Assert.False(outcome.Permanent);
        Assert.Contains("abandoned", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_IsAFailure_NamingTheException_PermanentOnlyWhenTheHandlerSaidSo()
    {
        using var running = Running();

        var transient = Assert.IsType<JobOutcome.Failed>(JobOutcome.Of(running, Task.FromException<string?>(new IOException("disk")), abandoned: false));
        var permanent = Assert.IsType<JobOutcome.Failed>(JobOutcome.Of(running, Task.FromException<string?>(new PermanentJobException("bad input")), abandoned: false));

        Assert.Equal(("IOException: disk", false), (transient.Error, transient.Permanent));
        Assert.True(permanent.Permanent);
        Assert.Equal(ExecutionStatus.Failed, permanent.Status);
    }
}
