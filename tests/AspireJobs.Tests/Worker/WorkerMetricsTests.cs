using AspireJobs.Worker.Fleet;

namespace AspireJobs.Tests.Worker;

/// <summary>What a worker reports of its own GC pauses, in this test process's real GC.</summary>
public sealed class WorkerMetricsTests
{
    [Fact]
    public void AnExcludedPause_IsLeftOutOfTheWindowsGcPauses()
    {
        var before = GC.GetTotalPauseDuration();
        var metrics = new WorkerMetrics();
        var collecting = GC.GetTotalPauseDuration();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var collection = GC.GetTotalPauseDuration() - collecting;

        metrics.ExcludeGcPause(collection);
        var report = metrics.TakeReport(currentLoad: 0, heartbeatInterval: TimeSpan.FromSeconds(1));
        var after = GC.GetTotalPauseDuration();

        // Whatever else paused this process meanwhile (other tests run beside this one), the
        // window holds at most every pause since the metrics began, less the one left out.
        Assert.True(collection > TimeSpan.Zero);
        Assert.InRange(report.GcPauseMs, 0, (after - before - collection).TotalMilliseconds);
    }
}
