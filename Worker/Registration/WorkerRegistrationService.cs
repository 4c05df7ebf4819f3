using System.Diagnostics;
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
/// Registered before the acquisition loop, so it starts first and stops last; started during a
/// Redis outage, it waits for Redis.
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
    /// <summary>The pause after a first heartbeat Redis did not take (a try itself may wait out the client's timeout first).</summary>
    private static readonly TimeSpan RedisRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>While Redis stays away, how often that is logged again.</summary>
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(30);

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
    /// The first heartbeat, tried again until Redis answers. Waits rather than throws: a worker
    /// that exits here is restarted after a delay that grows to 30 s, so it could stay down long
    /// after Redis is back. An error Redis answers is thrown: no wait would mend it.
    /// </summary>
    private async Task FirstHeartbeatAsync(CancellationToken cancellationToken)
    {
        var waiting = Stopwatch.StartNew();
        TimeSpan? logged = null;
        for (var tries = 1; ; tries++)
        {
            try
            {
                await dispatcher.HeartbeatAsync(identity.Id, options.Value.HeartbeatTimeout, options.Value.LeaseLength, []);
                if (tries > 1)
                {
                    LogRedisBack(tries, waiting.Elapsed.TotalSeconds);
                }

                return;
            }
            catch (Exception e) when (RedisFailure.IsUnreachable(e))
            {
                if (logged is null || waiting.Elapsed - logged >= LogInterval)
                {
                    logged = waiting.Elapsed;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not take this worker's first heartbeat (try {Tries}: {Reason}); trying again until it does, before the worker registers")]
    private partial void LogWaitingForRedis(int tries, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis took this worker's first heartbeat at try {Tries}, after {Seconds:0.0} s")]
    private partial void LogRedisBack(int tries, double seconds);
}
