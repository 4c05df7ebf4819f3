using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Services;
using Microsoft.Extensions.Hosting;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// Once every long-running instance is healthy, prints where things are: the Api, the file that
/// holds its key, the Aspire dashboard's login link, the state file. Aspire prints the dashboard's address when it starts;
/// this is the line to look for when the whole system is ready.
/// </summary>
public sealed class ReadySummary(
    ResourceNotificationService notifications,
    DistributedApplicationModel model,
    AppHostRun run) : BackgroundService
{
    public const string ReadyLine = "AspireJobs is running";

    /// <summary>The resource Aspire runs its dashboard as.</summary>
    public const string DashboardResourceName = "aspire-dashboard";

    /// <summary>
    /// What must be healthy for the system to be ready: every long-running resource (those the
    /// AppHost restarts on a crash), by name, with how many instances it runs.
    /// </summary>
    public static Dictionary<string, int> AwaitedInstances(DistributedApplicationModel model) =>
        model.Resources
            .Where(r => r.TryGetLastAnnotation<RestartOnCrashAnnotation>(out _))
            .ToDictionary(r => r.Name, r => r.GetReplicaCount(), StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var awaited = AwaitedInstances(model);
        var healthy = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var urls = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

        await foreach (var update in notifications.WatchAsync(stoppingToken))
        {
            urls[update.Resource.Name] = [.. update.Snapshot.Urls.Where(u => !u.IsInternal).Select(u => u.Url)];
            if (!healthy.TryGetValue(update.Resource.Name, out var instances))
            {
                instances = healthy[update.Resource.Name] = new HashSet<string>(StringComparer.Ordinal);
            }

            if (update.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            {
                instances.Add(update.ResourceId);
            }
            else
            {
                instances.Remove(update.ResourceId);
            }

            if (awaited.All(r => healthy.TryGetValue(r.Key, out var ready) && ready.Count >= r.Value))
            {
                break;
            }
        }

        var api = urls.GetValueOrDefault("api") is [var first, ..] ? first : "(no endpoint)";
        // Its sign-in link where it has one (the link carries the token); a dashboard open to
        // anyone has none.
        var dashboardUrls = urls.GetValueOrDefault(DashboardResourceName) ?? [];
        var dashboard = dashboardUrls.FirstOrDefault(u => u.Contains("/login", StringComparison.Ordinal))
            ?? (dashboardUrls.Count > 0 ? dashboardUrls[0] : null)
            ?? "off (--no-dashboard)";
        Console.Out.WriteLine(string.Join(Environment.NewLine,
            $"{ReadyLine} on {run.Infrastructure.Describe()}.",
            $"  Api:              {api}",
            $"  Dashboard:        {api.TrimEnd('/')}/dashboard",
            $"  API key:          {Path.Combine(run.DataDirectory, ApiKeys.AdminFileName)} (admin; api-key-write and api-key-read beside it)",
            $"  Aspire dashboard: {dashboard}",
            $"  State:            {run.StatusFilePath}",
            "  Ctrl+C stops everything."));
    }
}
