using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workers;
using AspireJobs.Worker.Acquisition;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AspireJobs.Worker.Registration;

/// <summary>
/// Registers this worker in PostgreSQL before it takes any job, releases jobs that were parked
/// for want of a worker running its types, and marks it stopped (and forgotten by the dispatch
/// index) when it exits cleanly. The health monitor puts back at once any job a stopped worker
/// left running, so a worker whose shutdown ran out of time with outcomes still being written is
/// not marked: it is judged dead once its heartbeat expires, after this process is gone.
/// Registered before the acquisition loop, so it starts first and stops last.
/// </summary>
public sealed partial class WorkerRegistrationService(
    WorkerStore workers,
    JobStore jobs,
    JobDispatcher dispatcher,
    RedisFollowUp followUp,
    JobAcquisitionLoop loop,
    WorkerIdentity identity,
    JobHandlerRegistry handlers,
    IOptions<WorkerOptions> options,
    ILogger<WorkerRegistrationService> logger) : IHostedService
{
    /// <summary>How often the first heartbeat is tried again while Redis is away.</summary>
    private static readonly TimeSpan RedisRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>While Redis stays away, every this many tries is logged, not each.</summary>
    private const int LogEveryTries = 10;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var types = handlers.Types.Order(StringComparer.Ordinal).ToList();
        // The first heartbeat comes before the row: the health monitor never sees a registered
        // worker without one.
        await FirstHeartbeatAsync(cancellationToken);
        await workers.WorkerInsertAsync(
            new WorkerRegistration(identity.Id, identity.Name, identity.Host, identity.ProcessId, identity.Version, types, options.Value.Concurrency),
            cancellationToken);

        var unparked = await jobs.JobSetUnparkedForTypesAsync(types, cancellationToken);
        await followUp.TryAsync(() => dispatcher.EnqueueAsync(unparked), "jobs unparked for this worker's types");
    }

    /// <summary>
    /// The first heartbeat, tried again until Redis answers. Why: a worker that exited instead, as
    /// it starts during a Redis outage (restarted with Redis, or just after it), would be restarted
    /// with a growing delay, and could stay down for a while after Redis is back.
    /// </summary>
    private async Task FirstHeartbeatAsync(CancellationToken cancellationToken)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                await dispatcher.HeartbeatAsync(identity.Id, options.Value.HeartbeatTimeout, options.Value.LeaseLength, []);
                return;
            }
            catch (Exception e) when (RedisFailure.Is(e))
            {
                if (tries % LogEveryTries == 1)
                {
                    LogWaitingForRedis(tries, RedisFailure.Describe(e));
                }

                await Task.Delay(RedisRetryDelay, cancellationToken);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (loop.InFlight == 0)
        {
            await workers.WorkerSetStoppedIfLiveAsync(identity.Id, cancellationToken);
        }

        // What a failure leaves is a set member under an id no process will use again.
        await followUp.TryAsync(() => dispatcher.ForgetWorkerAsync(identity.Id), "this stopped worker forgotten");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not take this worker's first heartbeat (try {Tries}: {Reason}); trying again every second before it registers")]
    private partial void LogWaitingForRedis(int tries, string reason);
}
