using System.Net;
using AspireJobs.Checker;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workers;
using AspireJobs.Tests.Infrastructure;
using AspireJobs.Worker;
using AspireJobs.Worker.Acquisition;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AspireJobs.Tests.Worker;

/// <summary>The acquisition loop in process, on real PostgreSQL and Redis, its Redis behind a proxy that can slow or hold it.</summary>
public sealed class JobAcquisitionLoopTests(TestServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    [Theory]
    [InlineData(true)]
    // The cancellation undone by a restore before the worker heard it: the job is queued again,
    // and the late cancellation must not write it cancelled a second time.
    [InlineData(false)]
    public async Task ACancellationHeardWhileTheLeaseOfItsJobIsOnTheWay_StopsTheJob_BeforeItsHandlerRuns_AndWritesNothing(bool cancelledInPostgres)
    {
        await using var worker = await LoopBehindProxy.StartAsync(_system, servers, commandTimeout: TimeSpan.FromSeconds(20)); // round trips of 4 s and more, below

        // What Redis answers the loop reaches it 2 s late, while the test reads Redis directly.
        worker.Proxy.Latency = TimeSpan.FromSeconds(2);
        var job = await QueueNewJobAsync("record");

        // Leased, its ticket on the way to the loop and held there: the Api cancels it then
        // (PostgreSQL first, then the workers are told), and the cancellation reaches the loop
        // before its lease.
        await _system.WaitUntilAsync(async () => (await _system.Dispatcher.LeasesOfAsync([job.Id])).Count == 1, Patience, "the job to be leased");
        worker.Proxy.HalfOpen = true;
        if (cancelledInPostgres)
        {
            Assert.NotNull(await _system.Store.JobSetCancelledIfPendingAsync(job.Id, Token));
        }

        worker.Loop.Cancel(job.Id);
        (worker.Proxy.Latency, worker.Proxy.HalfOpen) = (TimeSpan.Zero, false);

        await _system.WaitUntilAsync(async () => (await _system.Dispatcher.LeasesOfAsync([job.Id])).Count == 0, Patience, "the loop to let the job go");
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM job_effects WHERE job_id = $1", job.Id));
        Assert.Equal(cancelledInPostgres ? "cancelled:0" : "queued:0", await _system.Database.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE id = $1", job.Id));
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE job_id = $1", job.Id));
        Assert.Equal(0, worker.Loop.InFlight);
    }

    [Fact]
    public async Task AnAcquisitionWhoseAnswerTimedOut_GivesBackTheLeaseItTookUnknowing()
    {
        await using var worker = await LoopBehindProxy.StartAsync(_system, servers, commandTimeout: TimeSpan.FromSeconds(5));

        var job = await LeasedUnknowingAsync(worker);

        // Given back, not left to expire (30 s) and be rescued as an attempt that may have run.
        await _system.WaitUntilAsync(async () => (await _system.Dispatcher.LeasesOfAsync([job.Id])).Count == 0, TimeSpan.FromSeconds(15), "the lease to be given back");
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM job_effects WHERE job_id = $1", job.Id));
        Assert.Equal("queued:0", await _system.Database.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE id = $1", job.Id));
    }

    [Fact]
    public async Task ALeaseKeptForAnAttemptItsOutcomeCouldNotRecord_IsNotGivenBack_WhenTheLoopLooksForLeasesItDoesNotKnow()
    {
        // PostgreSQL takes no outcome (its writes go to a server that is not there), given up
        // about a second after the job's lease, before the job's start was ever written.
        await using var nowhere = Npgsql.NpgsqlDataSource.Create($"Host=127.0.0.1;Port={LocalProcesses.FreePort.Next()};Username=nobody;Timeout=2");
        await using var worker = await LoopBehindProxy.StartAsync(_system, servers, commandTimeout: TimeSpan.FromSeconds(5),
            // A start window the handler surely ends within, however busy the machine: its start is never written.
            new WorkerOptions { LeaseGrace = TimeSpan.FromMilliseconds(500), AbandonGrace = TimeSpan.FromMilliseconds(100), StartWindow = TimeSpan.FromSeconds(10) },
            finishStore: new JobStore(nowhere, TimeProvider.System));
        var unrecorded = (await _system.Store.JobInsertAsync(TestJobs.New("record", timeout: TimeSpan.FromMilliseconds(500)), Token)).Job;
        await _system.Dispatcher.EnqueueAsync([new QueuedJob(unrecorded.Id, unrecorded.Priority)]);
        await _system.WaitUntilAsync(async () => await EffectsAsync(unrecorded.Id) == 1 && worker.Loop.InFlight == 0, Patience, "the job to run and its outcome to be given up");
        Assert.Single(await _system.Dispatcher.LeasesOfAsync([unrecorded.Id]));

        // Another job leased unknowing, so the loop then gives back the leases it holds and does
        // not know: the other job's.
        var unknowing = await LeasedUnknowingAsync(worker);
        await _system.WaitUntilAsync(async () => (await _system.Dispatcher.LeasesOfAsync([unknowing.Id])).Count == 0, Patience, "the other job's lease to be given back");

        // The kept lease is still there to be found lapsed, and its attempt recorded abandoned.
        Assert.Single(await _system.Dispatcher.LeasesOfAsync([unrecorded.Id]));
        Assert.Equal("queued:0", await _system.Database.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE id = $1", unrecorded.Id));
    }

    /// <summary>
    /// A new job that an acquisition leases while its answer is held past the command's timeout:
    /// Redis holds the lease, and the loop never learned it.
    /// </summary>
    private async Task<Job> LeasedUnknowingAsync(LoopBehindProxy worker)
    {
        worker.Proxy.Latency = TimeSpan.FromSeconds(2);
        var job = await QueueNewJobAsync("record");
        await _system.WaitUntilAsync(async () => (await _system.Dispatcher.LeasesOfAsync([job.Id])).Count == 1, Patience, "the job to be leased");
        worker.Proxy.HalfOpen = true;
        var failedBefore = AcquisitionsFailed(worker);
        await _system.WaitUntilAsync(() => Task.FromResult(AcquisitionsFailed(worker) > failedBefore), Patience, "the acquisition to time out");
        (worker.Proxy.Latency, worker.Proxy.HalfOpen) = (TimeSpan.Zero, false);
        return job;
    }

    private Task<long> EffectsAsync(Guid jobId) =>
        _system.Database.ScalarAsync<long>("SELECT count(*) FROM job_effects WHERE job_id = $1", jobId);

    private static int AcquisitionsFailed(LoopBehindProxy worker) =>
        worker.Log.Collector.GetSnapshot().Count(record => record.Message.StartsWith("Could not take jobs", StringComparison.Ordinal));

    /// <summary>A new job in PostgreSQL, pushed to its band with its ticket, as the Api pushes it.</summary>
    private async Task<Job> QueueNewJobAsync(string type)
    {
        var job = (await _system.Store.JobInsertAsync(TestJobs.New(type: type), Token)).Job;
        await _system.Dispatcher.EnqueueAsync([new QueuedJob(job.Id, job.Priority)],
            NewJobTickets.OfJobsCreatedAt(DateTimeOffset.UtcNow, new Dictionary<Guid, string> { [job.Id] = JobTicket.Of(job, null)! }));
        return job;
    }

    /// <summary>A started acquisition loop whose Redis is reached through <see cref="Proxy"/>, with the <c>record</c> handler.</summary>
    private sealed class LoopBehindProxy : IAsyncDisposable
    {
        private readonly ConnectionMultiplexer _redis;
        private readonly ServiceProvider _services;

        private LoopBehindProxy(ChaosProxy proxy, ConnectionMultiplexer redis, ServiceProvider services, JobAcquisitionLoop loop, FakeLogger<JobAcquisitionLoop> log) =>
            (Proxy, _redis, _services, Loop, Log) = (proxy, redis, services, loop, log);

        public ChaosProxy Proxy { get; }

        public JobAcquisitionLoop Loop { get; }

        /// <summary>What the loop logged.</summary>
        public FakeLogger<JobAcquisitionLoop> Log { get; }

        /// <param name="finishStore">Where the executor writes outcomes: the system's own when none is given.</param>
        public static async Task<LoopBehindProxy> StartAsync(TestSystem system, TestServers servers, TimeSpan commandTimeout, WorkerOptions? options = null, JobStore? finishStore = null)
        {
            var proxy = new ChaosProxy("redis") { Target = new IPEndPoint(IPAddress.Loopback, servers.Redis.Port) };
            var throughProxy = ConfigurationOptions.Parse(servers.Redis.ConnectionString);
            throughProxy.EndPoints.Clear();
            throughProxy.EndPoints.Add(IPAddress.Loopback, proxy.Port);
            (throughProxy.AsyncTimeout, throughProxy.SyncTimeout) = ((int)commandTimeout.TotalMilliseconds, (int)commandTimeout.TotalMilliseconds);
            var redis = await ConnectionMultiplexer.ConnectAsync(throughProxy);
            var dispatcher = new JobDispatcher(redis, system.Keys, TimeProvider.System);
            var services = new ServiceCollection().AddMetrics().AddSingleton(system.Database.DataSource).AddSingleton(TimeProvider.System)
                .AddJobHandler<RecordHandler>("record").BuildServiceProvider();
            options ??= new WorkerOptions();
            options.SafetyPollInterval = TimeSpan.FromMilliseconds(100);
            var identity = WorkerIdentity.ForThisProcess(new ConfigurationBuilder().Build());
            var log = new FakeLogger<JobAcquisitionLoop>();
            var loop = new JobAcquisitionLoop(dispatcher, new RedisFollowUp(NullLogger<RedisFollowUp>.Instance), system.Store,
                new WorkerStore(system.Database.DataSource, TimeProvider.System), InProcessWorker.Executor(system, services, options, identity, dispatcher: dispatcher, finishStore: finishStore),
                services.GetRequiredService<JobHandlerRegistry>(), identity, TimeProvider.System, Options.Create(options), log);
            await loop.StartAsync(Token);

            // Its subscriptions made before the test slows Redis (cancellations last).
            await system.WaitUntilAsync(async () => await system.Redis.GetServers()[0].SubscriptionSubscriberCountAsync(system.Keys.CancelChannel) > 0,
                Patience, "the loop to listen for cancellations");
            return new LoopBehindProxy(proxy, redis, services, loop, log);
        }

        public async ValueTask DisposeAsync()
        {
            (Proxy.Latency, Proxy.HalfOpen) = (TimeSpan.Zero, false);
            await Loop.StopAsync(CancellationToken.None);
            await _services.DisposeAsync();
            await _redis.DisposeAsync();
            await Proxy.DisposeAsync();
        }
    }
}
