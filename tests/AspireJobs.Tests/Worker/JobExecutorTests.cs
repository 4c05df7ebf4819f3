using System.Collections.Concurrent;
using AspireJobs.Core.Telemetry;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;
using AspireJobs.Worker;
using AspireJobs.Worker.Drills;
using AspireJobs.Worker.Execution;
using AspireJobs.Worker.Fleet;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspireJobs.Tests.Worker;

/// <summary>The executor in process, with handlers a real worker does not ship.</summary>
public sealed class JobExecutorTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    /// <summary>Never finishes and never looks at its token.</summary>
    public sealed class StubbornHandler : IJobHandler<object, object?>
    {
        public Task<object?> HandleAsync(object payload, JobContext context, CancellationToken cancellationToken) =>
            new TaskCompletionSource<object?>().Task;
    }

    /// <summary>Succeeds at once, whatever happened to its job meanwhile.</summary>
    public sealed class DoneAtOnceHandler : IJobHandler<object, object?>
    {
        public Task<object?> HandleAsync(object payload, JobContext context, CancellationToken cancellationToken) =>
            Task.FromResult<object?>("done");
    }

    /// <summary>Returns after 400 ms: still running when its start is written.</summary>
    public sealed class PastTheWindowHandler : IJobHandler<object, object?>
    {
        public async Task<object?> HandleAsync(object payload, JobContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(400), cancellationToken);
            return "done";
        }
    }

    /// <summary>Counts its calls, and ignores its token.</summary>
    public sealed class CountingHandler : IJobHandler<object, object?>
    {
        private static int _calls;

        public static int Calls => Volatile.Read(ref _calls);

        public Task<object?> HandleAsync(object payload, JobContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult<object?>("ran");
        }
    }

    /// <summary>
    /// Works synchronously, never awaiting: busy until its token fires or the test lets its job go
    /// (at most 20 s), then returns a finished task.
    /// </summary>
    public class BusyHandler : IJobHandler<object, object?>
    {
        private static readonly ConcurrentDictionary<Guid, bool> LetGoJobs = new();

        public static void LetGo(Guid jobId) => LetGoJobs[jobId] = true;

        protected virtual bool HeedsItsToken => true;

        public Task<object?> HandleAsync(object payload, JobContext context, CancellationToken cancellationToken)
        {
            var busy = System.Diagnostics.Stopwatch.StartNew();
            while (!LetGoJobs.ContainsKey(context.JobId) && busy.Elapsed < TimeSpan.FromSeconds(20))
            {
                if (HeedsItsToken)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                Thread.Sleep(5);
            }

            return Task.FromResult<object?>("done");
        }
    }

    /// <summary>Busy as <see cref="BusyHandler"/>, and never looks at its token.</summary>
    public sealed class DeafBusyHandler : BusyHandler
    {
        protected override bool HeedsItsToken => false;
    }

    private JobExecutor Executor(ServiceProvider services, WorkerOptions options, WorkerIdentity identity, JobStore? startStore = null) =>
        InProcessWorker.Executor(_system, services, options, identity, startStore);

    [Fact]
    public async Task AStartWrittenThoughItsWriteSeemedToFail_TakesTheOutcome_AsAnyStartedJob()
    {
        using var services = new ServiceCollection().AddMetrics().AddJobHandler<PastTheWindowHandler>("slow").BuildServiceProvider();
        var options = new WorkerOptions { StartWindow = TimeSpan.Zero }; // the start is written at once, whatever a busy machine's timers do
        var identity = WorkerIdentity.ForThisProcess(new ConfigurationBuilder().Build());
        // PostgreSQL committed the start, and the worker never heard: its own write of the start
        // goes to a server that is not there, as a write whose answer was lost would end.
        await using var nowhere = Npgsql.NpgsqlDataSource.Create($"Host=127.0.0.1;Port={LocalProcesses.FreePort.Next()};Username=nobody;Timeout=2");
        var executor = Executor(services, options, identity, new JobStore(nowhere, TimeProvider.System));
        var job = (await _system.Store.JobInsertAsync(TestJobs.New("slow", maxRetries: 0), Token)).Job;
        var started = Assert.Single((await _system.Store.JobGetStartableAsync([new JobLease(job.Id, JobStoreStarts.NextFence())], identity.Id, options.LeaseGrace, new HashSet<string> { "slow" }, Token)).Started);
        Assert.Equal([started.LeaseToken], await _system.Store.JobSetRunningIfQueuedAsync([started.Start!.Value], Token));

        using var running = new RunningJob(started, () => { });
        await executor.RunAsync(running).WaitAsync(TimeSpan.FromSeconds(30), Token);

        var finished = (await _system.Store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Equal((JobStatus.Completed, 1, "\"done\""), (finished.Status, finished.Attempts, finished.ResultJson));
        Assert.Equal("completed", await _system.Database.ScalarAsync<string>("SELECT string_agg(status, ',') FROM job_executions WHERE job_id = $1", job.Id));
    }

    [Fact]
    public async Task AHandlerThatIgnoresItsTimeout_IsAbandonedAfterTheGrace_AndTheAttemptRecordedAsTimedOut()
    {
        using var services = new ServiceCollection().AddMetrics().AddJobHandler<StubbornHandler>("stubborn").BuildServiceProvider();
        var options = new WorkerOptions { AbandonGrace = TimeSpan.FromMilliseconds(300) };
        var identity = WorkerIdentity.ForThisProcess(new ConfigurationBuilder().Build());
        var executor = Executor(services, options, identity);
        var job = (await _system.Store.JobInsertAsync(TestJobs.New("stubborn", maxRetries: 0, timeout: TimeSpan.FromMilliseconds(200)), Token)).Job;
        var started = Assert.Single((await _system.Store.StartNowAsync([job.Id], identity.Id, options.LeaseGrace, ["stubborn"], Token)).Started);

        var slotsFreed = 0;
        using var running = new RunningJob(started, () => slotsFreed++);
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        await executor.RunAsync(running).WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.InRange(elapsed.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(10));
        Assert.Equal(1, slotsFreed);
        var finished = (await _system.Store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Equal(JobStatus.DeadLettered, finished.Status);
        Assert.Contains("abandoned", finished.Error, StringComparison.Ordinal);
        Assert.Equal("timed_out", await _system.Database.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1", job.Id));
    }

    [Fact]
    public async Task AHandlerThatWorksSynchronously_IsStoppedByItsTimeout()
    {
        using var services = new ServiceCollection().AddMetrics().AddJobHandler<BusyHandler>("busy").BuildServiceProvider();
        var options = new WorkerOptions();
        var identity = WorkerIdentity.ForThisProcess(new ConfigurationBuilder().Build());
        var executor = Executor(services, options, identity);
        var job = (await _system.Store.JobInsertAsync(TestJobs.New("busy", maxRetries: 0, timeout: TimeSpan.FromMilliseconds(300)), Token)).Job;
        var started = Assert.Single((await _system.Store.StartNowAsync([job.Id], identity.Id, options.LeaseGrace, ["busy"], Token)).Started);

        using var running = new RunningJob(started, () => { });
        await Task.Run(() => executor.RunAsync(running), Token).WaitAsync(TimeSpan.FromSeconds(30), Token);

        var finished = (await _system.Store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Equal((JobStatus.DeadLettered, "Timed out after 300 ms."), (finished.Status, finished.Error));
        Assert.Equal("timed_out", await _system.Database.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1", job.Id));
    }

    [Fact]
    public async Task AHandlerThatWorksSynchronously_HasItsStartWritten_WhileItIsStillBusy()
    {
        using var services = new ServiceCollection().AddMetrics().AddJobHandler<BusyHandler>("busy").BuildServiceProvider();
        var options = new WorkerOptions();
        var identity = WorkerIdentity.ForThisProcess(new ConfigurationBuilder().Build());
        var executor = Executor(services, options, identity);
        var job = (await _system.Store.JobInsertAsync(TestJobs.New("busy", maxRetries: 0), Token)).Job;
        var started = Assert.Single((await _system.Store.JobGetStartableAsync([new JobLease(job.Id, JobStoreStarts.NextFence())], identity.Id, options.LeaseGrace, new HashSet<string> { "busy" }, Token)).Started);

        using var running = new RunningJob(started, () => { });
        var run = Task.Run(() => executor.RunAsync(running), Token);
        try
        {
            // Past the start window, GET /api/jobs/{id} and the dashboard see it running, whatever its handler's kind.
            await _system.WaitUntilAsync(async () => (await _system.Store.JobGetByIdAsync(job.Id, Token))!.Status == JobStatus.Running,
                TimeSpan.FromSeconds(15), "the job running in PostgreSQL while its handler was busy");
        }
        finally
        {
            BusyHandler.LetGo(job.Id);
        }

        await run.WaitAsync(TimeSpan.FromSeconds(30), Token);
        var finished = (await _system.Store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Equal((JobStatus.Completed, 1, "\"done\""), (finished.Status, finished.Attempts, finished.ResultJson));
    }

    [Fact]
    public async Task AHandlerThatWorksSynchronously_AndIgnoresItsTimeout_HasItsOutcomeWritten_AndKeepsItsSlotUntilItReturns()
    {
        using var services = new ServiceCollection().AddMetrics().AddJobHandler<DeafBusyHandler>("deaf").BuildServiceProvider();
        var options = new WorkerOptions { AbandonGrace = TimeSpan.FromMilliseconds(300) };
        var identity = WorkerIdentity.ForThisProcess(new ConfigurationBuilder().Build());
        var executor = Executor(services, options, identity);
        var job = (await _system.Store.JobInsertAsync(TestJobs.New("deaf", maxRetries: 0, timeout: TimeSpan.FromMilliseconds(200)), Token)).Job;
        var started = Assert.Single((await _system.Store.StartNowAsync([job.Id], identity.Id, options.LeaseGrace, ["deaf"], Token)).Started);

        var slotsFreed = 0;
        using var running = new RunningJob(started, () => Interlocked.Increment(ref slotsFreed));
        var run = Task.Run(() => executor.RunAsync(running), Token);
        try
        {
            // Its outcome is written while its handler is still busy; its slot stays taken, as
            // its thread is, until the handler is let go.
            await _system.WaitUntilAsync(async () => (await _system.Store.JobGetByIdAsync(job.Id, Token))!.Status == JobStatus.DeadLettered,
                TimeSpan.FromSeconds(15), "the job's timed-out outcome while its handler was busy");
            var finished = (await _system.Store.JobGetByIdAsync(job.Id, Token))!;
            Assert.Contains("abandoned", finished.Error, StringComparison.Ordinal);
            Assert.Equal((0, false), (Volatile.Read(ref slotsFreed), run.IsCompleted));
        }
        finally
        {
            BusyHandler.LetGo(job.Id);
        }

        await run.WaitAsync(TimeSpan.FromSeconds(30), Token);
        Assert.Equal(1, slotsFreed);
    }

    [Fact]
    public async Task AWorkersCompletedCount_CountsTheOutcomesRecorded_NotASuccessWhoseWriteWasRefused()
    {
        using var services = new ServiceCollection().AddMetrics().AddJobHandler<DoneAtOnceHandler>("quick").BuildServiceProvider();
        var options = new WorkerOptions();
        var identity = WorkerIdentity.ForThisProcess(new ConfigurationBuilder().Build());
        var metrics = new WorkerMetrics();
        var executor = InProcessWorker.Executor(_system, services, options, identity, metrics: metrics);
        var handledTypes = new HashSet<string> { "quick" };
        var kept = (await _system.Store.JobInsertAsync(TestJobs.New("quick"), Token)).Job;
        var cancelled = (await _system.Store.JobInsertAsync(TestJobs.New("quick"), Token)).Job;
        var leased = (await _system.Store.JobGetStartableAsync(
            [new JobLease(kept.Id, JobStoreStarts.NextFence()), new JobLease(cancelled.Id, JobStoreStarts.NextFence())],
            identity.Id, options.LeaseGrace, handledTypes, Token)).Started;
        // Cancelled in PostgreSQL as its lease came, before its start was written: the worker runs
        // it without having heard, and its success is refused.
        Assert.NotNull(await _system.Store.JobSetCancelledIfPendingAsync(cancelled.Id, Token));

        foreach (var job in leased)
        {
            using var running = new RunningJob(job, () => { });
            await executor.RunAsync(running).WaitAsync(TimeSpan.FromSeconds(30), Token);
        }

        Assert.Equal(JobStatus.Completed, (await _system.Store.JobGetByIdAsync(kept.Id, Token))!.Status);
        Assert.Equal(JobStatus.Cancelled, (await _system.Store.JobGetByIdAsync(cancelled.Id, Token))!.Status);
        Assert.Equal((1L, 0L), (metrics.Completed, metrics.Failed));
    }

    [Fact]
    public async Task AJobStoppedBeforeItsHandlerBegins_NeverRunsIt()
    {
        using var services = new ServiceCollection().AddMetrics().AddJobHandler<CountingHandler>("counted").BuildServiceProvider();
        var options = new WorkerOptions();
        var identity = WorkerIdentity.ForThisProcess(new ConfigurationBuilder().Build());
        var executor = Executor(services, options, identity);
        var job = (await _system.Store.JobInsertAsync(TestJobs.New("counted"), Token)).Job;
        var started = Assert.Single((await _system.Store.StartNowAsync([job.Id], identity.Id, options.LeaseGrace, ["counted"], Token)).Started);

        // Handed back as it came (the worker shutting down): its handler, which would not look
        // at its token, is never called.
        using var running = new RunningJob(started, () => { });
        running.Stop(StopReason.HandedBack);
        await executor.RunAsync(running).WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.Equal(0, CountingHandler.Calls);
        Assert.Equal(JobStatus.Queued, (await _system.Store.JobGetByIdAsync(job.Id, Token))!.Status);
    }

    [Fact]
    public async Task AnOutcomeThatCannotBeWritten_ForAJobWhoseStartIsNotWritten_KeepsItsLease_SoTheAttemptIsRecordedAbandoned()
    {
        using var services = new ServiceCollection().AddMetrics().AddJobHandler<DoneAtOnceHandler>("quick").BuildServiceProvider();
        // Writes are given up past the job's timeout plus this grace, a second from the lease.
        var options = new WorkerOptions { LeaseGrace = TimeSpan.FromMilliseconds(500), AbandonGrace = TimeSpan.FromMilliseconds(100) };
        var identity = WorkerIdentity.ForThisProcess(new ConfigurationBuilder().Build());
        // PostgreSQL cannot be reached for the outcome: its writes go to a server that is not there.
        await using var nowhere = Npgsql.NpgsqlDataSource.Create($"Host=127.0.0.1;Port={LocalProcesses.FreePort.Next()};Username=nobody;Timeout=2");
        var executor = InProcessWorker.Executor(_system, services, options, identity, finishStore: new JobStore(nowhere, TimeProvider.System));
        var job = (await _system.Store.JobInsertAsync(TestJobs.New("quick", timeout: TimeSpan.FromMilliseconds(500)), Token)).Job;
        await _system.Dispatcher.EnqueueAsync([new QueuedJob(job.Id, JobLimits.DefaultPriority)]);
        var lease = Assert.Single(await _system.Dispatcher.AcquireAsync(identity.Id, 1, TimeSpan.FromMinutes(1), FairnessPolicy.Default));
        var started = Assert.Single((await _system.Store.JobGetStartableAsync([lease], identity.Id, options.LeaseGrace, new HashSet<string> { "quick" }, Token)).Started);

        using var running = new RunningJob(started, () => { });
        await executor.RunAsync(running).WaitAsync(TimeSpan.FromSeconds(30), Token);

        // The handler ran; PostgreSQL still has the job queued, and the lease is all that says so.
        var unrecorded = (await _system.Store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Equal((JobStatus.Queued, 0), (unrecorded.Status, unrecorded.Attempts));
        var held = Assert.Single(await _system.Dispatcher.LeasesOfWorkerAsync(identity.Id));
        Assert.Equal(lease, held.Lease);

        // Found lapsed (or its worker gone), the lease has its attempt recorded, and the job goes back.
        await InProcessMonitor.Rescue(_system).RescueLeasesAsync([held], poisonThreshold: null, Token);
        Assert.Equal("abandoned", await _system.Database.ScalarAsync<string>("SELECT string_agg(status, ',') FROM job_executions WHERE job_id = $1", job.Id));
        var recorded = (await _system.Store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Equal((JobStatus.Queued, 1), (recorded.Status, recorded.Attempts));
    }
}
