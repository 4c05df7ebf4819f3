using AspireJobs.Core.Workers;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Core.Workers;

/// <summary>
/// Whether a job of a type its worker does not run is offered again or parked: only an active
/// worker that runs the type counts. A drained one takes no new jobs and never will, so a job
/// only it runs would otherwise go back and forth between queued and scheduled for good.
/// </summary>
public sealed class WorkerTypeHandlingTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;
    private WorkerStore _workers = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _system = await TestSystem.CreateAsync(servers);
        _workers = new WorkerStore(_system.Database.DataSource, TimeProvider.System);
    }

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task AType_IsHandled_WhileAnActiveWorkerRunsIt_AndNotOnceItsOnlyWorkerIsDraining()
    {
        var worker = Guid.NewGuid();
        await _workers.WorkerInsertAsync(new WorkerRegistration(worker, "w1", "h", 1, "1", ["reports.monthly"], 4), Token);
        Assert.True(await _workers.WorkerAnyActiveHandlesTypeAsync("reports.monthly", Token));
        Assert.False(await _workers.WorkerAnyActiveHandlesTypeAsync("noop", Token));

        Assert.True(await _workers.WorkerSetDrainingIfActiveAsync(worker, byMonitor: false, Token));

        Assert.False(await _workers.WorkerAnyActiveHandlesTypeAsync("reports.monthly", Token));
    }
}
