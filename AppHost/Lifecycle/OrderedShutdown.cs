using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// Stops the services before the servers they need. Aspire's orchestrator stops every resource at
/// once when the AppHost stops; a worker then found Redis and PostgreSQL gone while it handed its
/// jobs back and signed off, waited on them, and was killed by the orchestrator 6 s after its
/// SIGTERM (PostgreSQL too, still waiting for the workers' sessions). This service stops before
/// the orchestrator does (hosted services stop in reverse order, and Aspire's were registered
/// first): it asks every running project instance to stop, through Aspire's stop command, and
/// waits for them, so the orchestrator then has only the servers and the dashboard left to stop.
/// </summary>
public sealed partial class OrderedShutdown(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ILogger<OrderedShutdown> logger) : BackgroundService
{
    /// <summary>Beyond this, the orchestrator stops what is left anyway.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>Running project instances, by instance id.</summary>
    private readonly ConcurrentDictionary<string, bool> _running = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var projects = model.Resources.OfType<ProjectResource>().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        await foreach (var update in notifications.WatchAsync(stoppingToken))
        {
            if (!projects.Contains(update.Resource.Name))
            {
                continue;
            }

            if (update.Snapshot.State?.Text == KnownResourceStates.Running)
            {
                _running[update.ResourceId] = true;
            }
            else
            {
                _running.TryRemove(update.ResourceId, out _);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(Patience);
        var stopping = _running.Keys.ToHashSet(StringComparer.Ordinal);
        try
        {
            var ended = WaitUntilEndedAsync(stopping, patience.Token);
            await Task.WhenAll(stopping.Select(id => commands.ExecuteCommandAsync(id, KnownResourceCommands.StopCommand, patience.Token)));
            await ended;
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            LogImpatient(logger, Patience.TotalSeconds);
        }
    }

    /// <summary>Waits until Aspire reports each instance ended (with its exit code).</summary>
    private async Task WaitUntilEndedAsync(HashSet<string> instances, CancellationToken cancellationToken)
    {
        var waiting = new HashSet<string>(instances, StringComparer.Ordinal);
        if (waiting.Count == 0)
        {
            return;
        }

        await foreach (var update in notifications.WatchAsync(cancellationToken))
        {
            if (update.Snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state)
                && waiting.Remove(update.ResourceId) && waiting.Count == 0)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Services still stopping after {Seconds} s; the orchestrator stops what is left")]
    private static partial void LogImpatient(ILogger logger, double seconds);
}
