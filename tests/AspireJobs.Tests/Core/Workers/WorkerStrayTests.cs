using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workers;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.Core.Workers;

/// <summary>
/// A start that committed in PostgreSQL while its answer was lost leaves a job running under a
/// worker that never got it. The worker's report finds such strays (running under it, not held,
/// started a while ago) with their lease tokens and fences, and handing one back requeues it at once.
/// </summary>
public sealed class WorkerStrayTests(TestServers servers) : IAsyncLifetime
{
    private static readonly string[] AllTypes = ["noop"];

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestSystem _system = null!;
    private WorkerStore _workers = null!;
    private JobStore _jobs = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _system = await TestSystem.CreateAsync(servers);
        _workers = new WorkerStore(_system.Database.DataSource, _clock);
        _jobs = new JobStore(_system.Database.DataSource, _clock);
    }

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task AJobRunningUnderAWorkerThatDoesNotHoldIt_IsAStray_OnceItsStartIsOldEnough_AndHandingItBackRequeuesIt()
    {
        var worker = Guid.NewGuid();
        await _workers.WorkerInsertAsync(new WorkerRegistration(worker, "w1", "h", 1, "1", AllTypes, 4), Token);
        var held = TestJobs.New();
        var lost = TestJobs.New();
        await _jobs.JobInsertBatchAsync([held, lost], Token);
        var started = (await _jobs.StartNowAsync([held.Id, lost.Id], worker, TimeSpan.FromSeconds(30), AllTypes, Token)).Started;

        // Just started: the answer may still be on its way, so nothing is a stray yet.
        Assert.Empty((await ReportAsync(worker, [held.Id]))!.Strays);

        _clock.Advance(WorkerStore.StrayAfter + TimeSpan.FromSeconds(1));
        var stray = Assert.Single((await ReportAsync(worker, [held.Id]))!.Strays);
        var lostStart = started.Single(j => j.Id == lost.Id);
        Assert.Equal((lost.Id, lostStart.LeaseToken, lostStart.Fence), (stray.Id, stray.LeaseToken, stray.Fence));
        Assert.Empty((await ReportAsync(worker, [held.Id, lost.Id]))!.Strays);
        Assert.Empty((await ReportAsync(Guid.NewGuid(), []))?.Strays ?? []);

        var handedBack = (await _jobs.JobFinishIfRunningAsync([JobFinish.HandedBack(stray.Id, stray.LeaseToken, "lost start")], Token)).Finished;
        Assert.Equal(JobStatus.Queued, Assert.Single(handedBack).Status);
        Assert.Empty((await ReportAsync(worker, [held.Id]))!.Strays);
    }

    private Task<WorkerStanding?> ReportAsync(Guid worker, Guid[] held) =>
        _workers.WorkerSetHeartbeatAsync(worker, new WorkerMetricsReport(0, 0, 0, 0, 0, new Dictionary<string, RunDurationStats>(), 0, 0, 0, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), held, Token);
}
