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
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AspireJobs.Tests.Worker;

/// <summary>The acquisition loop in process, on real PostgreSQL and Redis, its Redis behind a proxy that can slow it.</summary>
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
        await using var proxy = new ChaosProxy("redis") { Target = new IPEndPoint(IPAddress.Loopback, servers.Redis.Port) };
        var throughProxy = ConfigurationOptions.Parse(servers.Redis.ConnectionString);
        throughProxy.EndPoints.Clear();
        throughProxy.EndPoints.Add(IPAddress.Loopback, proxy.Port);
        (throughProxy.AsyncTimeout, throughProxy.SyncTimeout) = (20_000, 20_000); // round trips of 4 s and more, below
        await using var redis = await ConnectionMultiplexer.ConnectAsync(throughProxy);
        var dispatcher = new JobDispatcher(redis, _system.Keys, TimeProvider.System);
        await using var services = new ServiceCollection().AddMetrics().AddSingleton(_system.Database.DataSource).AddSingleton(TimeProvider.System)
            .AddJobHandler<RecordHandler>("record").BuildServiceProvider();
        var options = new WorkerOptions { SafetyPollInterval = TimeSpan.FromMilliseconds(100) };
        var identity = WorkerIdentity.ForThisProcess(new ConfigurationBuilder().Build());
        var followUp = new RedisFollowUp(NullLogger<RedisFollowUp>.Instance);
        var loop = new JobAcquisitionLoop(dispatcher, followUp, _system.Store, new WorkerStore(_system.Database.DataSource, TimeProvider.System),
            InProcessWorker.Executor(_system, services, options, identity, dispatcher: dispatcher), services.GetRequiredService<JobHandlerRegistry>(),
            identity, TimeProvider.System, Options.Create(options), NullLogger<JobAcquisitionLoop>.Instance);
        await loop.StartAsync(Token);
        try
        {
            // Its subscriptions made first (cancellations last), each a round trip.
            await _system.WaitUntilAsync(async () => await _system.Redis.GetServers()[0].SubscriptionSubscriberCountAsync(_system.Keys.CancelChannel) > 0,
                Patience, "the loop to listen for cancellations");

            // What Redis answers the loop reaches it 2 s late, while the test reads Redis directly.
            proxy.Latency = TimeSpan.FromSeconds(2);
            var job = (await _system.Store.JobInsertAsync(TestJobs.New(type: "record"), Token)).Job;
            await _system.Dispatcher.EnqueueAsync([new QueuedJob(job.Id, job.Priority)],
                NewJobTickets.OfJobsCreatedAt(DateTimeOffset.UtcNow, new Dictionary<Guid, string> { [job.Id] = JobTicket.Of(job, null)! }));

            // Leased, its ticket on the way to the loop and held there: the Api cancels it then
            // (PostgreSQL first, then the workers are told), and the cancellation reaches the loop
            // before its lease.
            await _system.WaitUntilAsync(async () => (await _system.Dispatcher.LeasesOfAsync([job.Id])).Count == 1, Patience, "the job to be leased");
            proxy.HalfOpen = true;
            if (cancelledInPostgres)
            {
                Assert.NotNull(await _system.Store.JobSetCancelledIfPendingAsync(job.Id, Token));
            }

            loop.Cancel(job.Id);
            (proxy.Latency, proxy.HalfOpen) = (TimeSpan.Zero, false);

            await _system.WaitUntilAsync(async () => (await _system.Dispatcher.LeasesOfAsync([job.Id])).Count == 0, Patience, "the loop to let the job go");
            Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM job_effects WHERE job_id = $1", job.Id));
            Assert.Equal(cancelledInPostgres ? "cancelled:0" : "queued:0", await _system.Database.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE id = $1", job.Id));
            Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE job_id = $1", job.Id));
            Assert.Equal(0, loop.InFlight);
        }
        finally
        {
            proxy.Latency = TimeSpan.Zero;
            await loop.StopAsync(CancellationToken.None);
        }
    }
}
