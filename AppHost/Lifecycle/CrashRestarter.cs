using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// Restarts an instance of a <see cref="RestartOnCrashAnnotation"/> resource that exited on its
/// own, through Aspire's own start command (what the dashboard's Start button runs), after the
/// delay its <see cref="InstanceWatch"/> gives, and again, with a growing delay, while Aspire fails
/// to start it. Each restart is counted and logged, in the AppHost's log and in the instance's
/// console log. It watches from before Aspire's orchestrator starts anything: a server that dies
/// while the services wait for it (or for the migrations) comes back too, and the start goes on.
/// </summary>
public sealed partial class CrashRestarter(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    RestartCounts restarts,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<CrashRestarter> logger) : FromFirstMomentService
{
    private readonly Dictionary<string, InstanceWatch> _instances = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var update in notifications.WatchAsync(stoppingToken))
        {
            if (!update.Resource.TryGetLastAnnotation<RestartOnCrashAnnotation>(out _) || update.Snapshot.State?.Text is not { } state)
            {
                continue;
            }

            if (!_instances.TryGetValue(update.ResourceId, out var instance))
            {
                instance = _instances[update.ResourceId] = new InstanceWatch();
            }

            if (instance.Observe(state, time.GetUtcNow()) is { } delay && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                _ = RestartAsync(update.ResourceId, instance, state, update.Snapshot.ExitCode, delay, stoppingToken);
            }
        }
    }

    private async Task RestartAsync(string resourceId, InstanceWatch instance, string state, int? exitCode, TimeSpan delay, CancellationToken stoppingToken)
    {
        var resourceLog = resourceLogs.GetLogger(resourceId);
        LogCrash(resourceLog, resourceId, state, exitCode, delay.TotalSeconds);
        LogCrash(logger, resourceId, state, exitCode, delay.TotalSeconds);
        try
        {
            while (true)
            {
                await Task.Delay(delay, time, stoppingToken);
                // Started or stopped by someone else meanwhile (the dashboard's buttons): theirs to run.
                if (lifetime.ApplicationStopping.IsCancellationRequested || !instance.AwaitsRestart)
                {
                    return;
                }

                var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken);
                if (result.Success)
                {
                    restarts.Increment(resourceId);
                    return;
                }

                delay = instance.AfterFailedRestart();
                LogRestartFailed(resourceLog, resourceId, result.Message, delay.TotalSeconds);
                LogRestartFailed(logger, resourceId, result.Message, delay.TotalSeconds);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping; so is everything it would restart.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ResourceId} {State} on its own (exit code {ExitCode}); restarting it in {DelaySeconds} s")]
    private static partial void LogCrash(ILogger logger, string resourceId, string state, int? exitCode, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restarting {ResourceId} failed: {Message}; trying again in {DelaySeconds} s")]
    private static partial void LogRestartFailed(ILogger logger, string resourceId, string? message, double delaySeconds);
}
