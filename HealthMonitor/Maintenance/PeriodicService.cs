using System.Diagnostics;
using AspireJobs.Core.Dispatch;
using AspireJobs.HealthMonitor.Leadership;
using Npgsql;

namespace AspireJobs.HealthMonitor.Maintenance;

/// <summary>
/// A maintenance loop of the health monitor: a pass every interval (the first at once), on the
/// elected leader only. A pass that fails (a server briefly away) is logged and the loop carries
/// on; the next pass repairs what this one missed.
/// </summary>
public abstract partial class PeriodicService(LeaderElection leader, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    protected abstract Task RunOnceAsync(CancellationToken stoppingToken);

    /// <summary>
    /// How much longer than one interval this tick waited since the previous pass ended: this
    /// process (or the whole machine) was paused or starved for about that long. A slow pass does
    /// not count (the next tick then comes at once), and ticks count on standbys too, so a new
    /// leader's first pass is not late.
    /// </summary>
    protected TimeSpan Lateness { get; private set; }

    /// <summary>Runs one pass now, outside the schedule (for tests and operators).</summary>
    public Task RunPassAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        var previousEnd = Stopwatch.GetTimestamp();
        do
        {
            Lateness = Stopwatch.GetElapsedTime(previousEnd) - Interval;
            if (leader.IsLeader)
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException || RedisFailure.Is(e))
                {
                    LogPassFailed(logger, GetType().Name, RedisFailure.Describe(e));
                }
            }

            previousEnd = Stopwatch.GetTimestamp();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Loop} pass failed ({Reason}); the next pass will try again")]
    private static partial void LogPassFailed(ILogger logger, string loop, string reason);
}
