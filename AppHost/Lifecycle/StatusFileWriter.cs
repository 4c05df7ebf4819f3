using AspireJobs.AppHost.Infrastructure;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// Keeps <see cref="StatusFile"/> current from Aspire's resource notifications, from before
/// Aspire's orchestrator starts anything: a start lasts until every resource exists (the
/// migrations first), and the file shows it, not the previous run's.
/// A write that fails (a full disk, a directory made read-only) is tried again at the next tick,
/// and said once until one succeeds: the file comes back current rather than stale for the run.
/// </summary>
public sealed partial class StatusFileWriter(
    ResourceNotificationService notifications,
    RestartCounts restarts,
    AppHostRun run,
    DataDirectoryLock dataDirectoryLock,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<StatusFileWriter> logger) : FromFirstMomentService
{
    // Notifications come in bursts (a start publishes dozens); one write per burst is enough.
    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ResourceStatus> _instances = new(StringComparer.Ordinal);
    private bool _changed;
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The instances are stopped after this service (the orchestrator stops last); once they
        // are, say so.
        lifetime.ApplicationStopped.Register(() => Write(stopped: true));
        var writes = WriteChangesAsync(stoppingToken);

        await foreach (var update in notifications.WatchAsync(stoppingToken))
        {
            if (update.Resource is ParameterResource || update.Snapshot.IsHidden || update.Resource.Name == ReadySummary.DashboardResourceName)
            {
                continue;
            }

            lock (_lock)
            {
                _instances[update.ResourceId] = ToStatus(update);
                _changed = true;
            }
        }

        await writes;
    }

    private ResourceStatus ToStatus(ResourceEvent update)
    {
        var snapshot = update.Snapshot;
        var processId = snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value switch
        {
            int pid and > 0 => pid,
            long pid and > 0 => (int)pid,
            string text when int.TryParse(text, CultureInfo.InvariantCulture, out var pid) && pid > 0 => pid,
            _ => (int?)null,
        };

        return new ResourceStatus(
            Name: update.Resource.GetReplicaCount() > 1 ? update.ResourceId : update.Resource.Name,
            Resource: update.Resource.Name,
            Type: snapshot.ResourceType,
            State: snapshot.State?.Text,
            Health: snapshot.HealthStatus?.ToString(),
            ProcessId: processId,
            Endpoints: [.. snapshot.Urls.Where(url => !url.IsInternal).Select(url => url.Url)],
            Restarts: restarts.Of(update.ResourceId),
            ExitCode: snapshot.ExitCode);
    }

    private async Task WriteChangesAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(WriteInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Write(stopped: false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: ApplicationStopped writes the last version.
        }
    }

    private void Write(bool stopped)
    {
        lock (_lock)
        {
            // A restart is counted when its start command returns, which can be after the last
            // notification of the instance it started: the count is read here too, not only then.
            foreach (var (resourceId, status) in _instances.ToList())
            {
                if (restarts.Of(resourceId) is var count && count != status.Restarts)
                {
                    _instances[resourceId] = status with { Restarts = count };
                    _changed = true;
                }
            }

            if (!_changed && !stopped)
            {
                return;
            }

            ResourceStatus[] instances = [.. _instances.Values
                .Select(i => stopped && !IsTerminal(i.State) ? i with { State = StatusFile.StoppedState, Health = null } : i)
                .OrderBy(i => i.Resource, StringComparer.Ordinal)
                .ThenBy(i => i.Name, StringComparer.Ordinal)];
            try
            {
                StatusFile.Write(run.StatusFilePath, new StatusDocument(Environment.ProcessId, time.GetUtcNow(), run.Infrastructure.Describe(), instances));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _changed = true;
                if (!_failing)
                {
                    LogWriteFailed(logger, run.StatusFilePath, e.Message);
                }

                _failing = true;
                return;
            }

            _changed = false;
            if (_failing)
            {
                LogWriteRecovered(logger, run.StatusFilePath);
            }

            _failing = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} could not be written; it is tried again until it can be: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Path} is written again")]
    private static partial void LogWriteRecovered(ILogger logger, string path);

    /// <summary>
    /// Frees the data directory, with the application: after this run's last write of the file,
    /// and after its processes are gone (the orchestrator's own included), so the next AppHost's
    /// servers and file never meet this one's.
    /// </summary>
    public override void Dispose()
    {
        dataDirectoryLock.Dispose();
        base.Dispose();
    }

    private static bool IsTerminal(string? state) => state is not null && KnownResourceStates.TerminalStates.Contains(state);
}
