using System.Diagnostics;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Outages;
using AspireJobs.Core.Workers;
using AspireJobs.Worker.Acquisition;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.Options;

namespace AspireJobs.Worker.Registration;

/// <summary>
/// Registers this worker in PostgreSQL before it takes any job, releases jobs that were parked
/// for want of a worker running its types, and marks it stopped (and forgotten by the dispatch
/// index) when it exits cleanly. The health monitor puts back at once any job a stopped worker
/// left running, so a worker whose shutdown ran out of time with outcomes still being written is
/// not marked: it is judged dead once its heartbeat expires, after this process is gone.
/// Registered before the acquisition loop, so it starts first and stops last; started while
/// Redis or PostgreSQL is down, it waits for them.
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
    /// <summary>The pause after a try the servers did not take (a try itself may wait out a client's timeout first).</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>While a server stays away, how often that is logged again.</summary>
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Registers this worker, tried again until Redis and PostgreSQL both serve it. Waits rather
    /// than throws: a worker that exits here is restarted after a delay that grows to 30 s, so it
    /// could stay down long after the server is back. An error no wait would mend (PostgreSQL
    /// or Redis refusing the password, a script's error in Redis) is thrown.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var types = handlers.Types.Order(StringComparer.Ordinal).ToList();
        var waiting = Stopwatch.StartNew();
        TimeSpan? logged = null;
        IReadOnlyList<QueuedJob> unparked;
        var tries = 1;
        while (true)
        {
            try
            {
                unparked = await RegisterAsync(types, cancellationToken);
                break;
            }
            catch (Exception e) when (ServerOutage.Of(e) is { } outage)
            {
                if (logged is null || waiting.Elapsed - logged >= LogInterval)
                {
                    logged = waiting.Elapsed;
                    LogWaiting(outage.Server, tries, outage.Reason);
                }

                await Task.Delay(RetryDelay, cancellationToken);
                tries++;
            }
        }

        if (tries > 1)
        {
            LogRegisteredAfterWait(tries, waiting.Elapsed.TotalSeconds);
        }

        await followUp.TryAsync(() => dispatcher.EnqueueAsync(unparked), "jobs unparked for this worker's types");
    }

    /// <summary>
    /// One try: a heartbeat, the row, the release of parked jobs, and a heartbeat again. The next
    /// try may repeat any step (the row is inserted once; jobs released by a try whose answer was
    /// lost reach Redis through the health monitor's reconciler). A heartbeat comes before the
    /// row, so the health monitor never sees this worker's row without one, and again after the
    /// statements, however long PostgreSQL took over them: the heartbeat service's own first beat
    /// is an interval away.
    /// </summary>
    private async Task<IReadOnlyList<QueuedJob>> RegisterAsync(List<string> types, CancellationToken cancellationToken)
    {
        await HeartbeatAsync();
        await workers.WorkerInsertAsync(
            new WorkerRegistration(identity.Id, identity.Name, identity.Host, identity.ProcessId, identity.Version, types, options.Value.Concurrency),
            cancellationToken);
        var unparked = await jobs.JobSetUnparkedForTypesAsync(types, cancellationToken);
        await HeartbeatAsync();
        return unparked;
    }

    private Task HeartbeatAsync() => dispatcher.HeartbeatAsync(identity.Id, options.Value.HeartbeatTimeout, options.Value.EffectiveLeaseLength, []);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (loop.InFlight == 0)
        {
            await workers.WorkerSetStoppedIfLiveAsync(identity.Id, cancellationToken);
        }

        // What a failure leaves is a set member under an id no process will use again.
        await followUp.TryAsync(() => dispatcher.ForgetWorkerAsync(identity.Id), "this stopped worker forgotten");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "This worker could not register: {Server} is unavailable (try {Tries}: {Reason}); trying again until it serves")]
    private partial void LogWaiting(string server, int tries, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "This worker registered at try {Tries}, after {Seconds:0.0} s")]
    private partial void LogRegisteredAfterWait(int tries, double seconds);
}
