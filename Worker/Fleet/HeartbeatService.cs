using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workers;
using AspireJobs.Worker.Acquisition;
using AspireJobs.Worker.Execution;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AspireJobs.Worker.Fleet;

/// <summary>
/// Keeps the fleet informed of this worker, and this worker of the fleet's view. Every heartbeat
/// interval it beats in Redis (a key that expires after the heartbeat timeout) and extends the
/// leases of its running jobs; independently, every metrics interval, it reports load and
/// metrics to PostgreSQL and reads back its status, its health score and the cancellations of
/// its jobs it may have missed. It obeys orders on the control
/// channel: drain (stop taking jobs) and exit (hand everything back and stop), and reads both back
/// from its report, should it miss the message.
/// </summary>
public sealed partial class HeartbeatService(
    JobDispatcher dispatcher,
    WorkerStore workers,
    JobAcquisitionLoop loop,
    FinishBatcher finishes,
    WorkerMetrics metrics,
    WorkerIdentity identity,
    IHostApplicationLifetime lifetime,
    IOptions<WorkerOptions> options,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    public const int PresumedDeadExitCode = 3;

    private readonly WorkerOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RedisSubscribing.NowOrOnReconnectAsync(() => dispatcher.SubscribeToControlAsync(identity.Id, order =>
        {
            LogOrder(order.ToString());
            if (order == WorkerOrder.Drain)
            {
                loop.Drain();
            }
            else
            {
                Exit();
            }
        }), "this worker's orders", logger);

        // Two loops, so that a slow PostgreSQL never holds up the Redis beat that says this worker lives.
        await Task.WhenAll(BeatAsync(stoppingToken), ReportEveryIntervalAsync(stoppingToken));
    }

    private async Task BeatAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await dispatcher.HeartbeatAsync(identity.Id, _options.HeartbeatTimeout, _options.EffectiveLeaseLength, loop.RunningLeases);
                metrics.RecordHeartbeat();
            }
            catch (Exception e) when (RedisFailure.Is(e))
            {
                LogBeatFailed(RedisFailure.Describe(e));
            }
        }
    }

    private async Task ReportEveryIntervalAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.MetricsInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await ReportAsync(stoppingToken);
        }
    }

    private async Task ReportAsync(CancellationToken stoppingToken)
    {
        WorkerStanding? standing;
        try
        {
            standing = await workers.WorkerSetHeartbeatAsync(identity.Id, metrics.TakeReport(loop.InFlight, _options.HeartbeatInterval), loop.HeldJobIds, stoppingToken);
        }
        catch (NpgsqlException e)
        {
            LogReportFailed(e.Message);
            return;
        }

        switch (standing?.Status)
        {
            case WorkerStatus.Draining:
                loop.Drain();
                break;
            case WorkerStatus.Dead or null:
                // The monitor gave this worker up (it was paused or cut off) and its jobs went to
                // others; the lease tokens keep it from finishing them. Start afresh.
                LogPresumedDead();
                Environment.ExitCode = PresumedDeadExitCode;
                lifetime.StopApplication();
                break;
        }

        if (standing is { ExitOrdered: true } && !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The order on the control channel did not arrive (or has not yet).
            LogOrder(nameof(WorkerOrder.Exit));
            Exit();
        }

        if (standing?.HealthScore is { } score)
        {
            loop.SetHealthScore(score);
        }

        foreach (var jobId in standing?.CancelRequested ?? [])
        {
            loop.Cancel(jobId);
        }

        await HandBackStraysAsync(standing?.Strays ?? []);
    }

    /// <summary>Hands back every job and stops, for the orchestrator to start a fresh process.</summary>
    private void Exit()
    {
        loop.Evacuate();
        lifetime.StopApplication();
    }

    /// <summary>
    /// Jobs whose start committed in PostgreSQL while its answer was lost (a dropped connection):
    /// running under this worker, which never got them. Handed back at once, fenced by their lease
    /// tokens, instead of waiting out their lease deadline (their timeout plus the grace).
    /// </summary>
    private async Task HandBackStraysAsync(IReadOnlyList<StrayJob> strays)
    {
        foreach (var stray in strays)
        {
            try
            {
                if (await finishes.FinishAsync(JobFinish.HandedBack(stray.Id, stray.LeaseToken, "Its start never reached the worker; handed back."), stray.Lease) is not null)
                {
                    LogStrayHandedBack(stray.Id);
                }
            }
            catch (NpgsqlException e)
            {
                LogReportFailed(e.Message); // the next report finds it again
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Received order: {Order}")]
    private partial void LogOrder(string order);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat failed ({Reason}); retrying on the next beat")]
    private partial void LogBeatFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics report failed ({Reason})")]
    private partial void LogReportFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was started for this worker, but the start's answer never arrived; handed back")]
    private partial void LogStrayHandedBack(Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The health monitor declared this worker dead; exiting so it can be replaced")]
    private partial void LogPresumedDead();
}
