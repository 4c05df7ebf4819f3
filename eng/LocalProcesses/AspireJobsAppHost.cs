using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using AspireJobs.AppHost.Lifecycle;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AspireJobs.LocalProcesses;

/// <summary>
/// The whole of AspireJobs started through its AppHost with Aspire.Hosting.Testing, for the
/// end-to-end tests and the benchmark: the AppHost's own model and command line, Aspire's
/// orchestrator, the local PostgreSQL and Redis in a data directory of the caller's, no dashboard
/// unless asked. Returned once the system is ready as the AppHost's own ready line means it: every
/// instance of every long-running resource healthy (<see cref="ReadySummary.AwaitedInstances"/>).
/// </summary>
public static class AspireJobsAppHost
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <param name="configure">Changes to the model before it is built (environment of a resource, say).</param>
    /// <param name="dashboard">Run the Aspire dashboard too, on free loopback ports.</param>
    public static async Task<DistributedApplication> StartAsync(
        string dataDirectory, int workers, Action<IDistributedApplicationTestingBuilder>? configure, bool dashboard, CancellationToken cancellationToken)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--data-dir", dataDirectory, "--api-port", "0", "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--infrastructure", "local"],
            (options, host) =>
            {
                options.DisableDashboard = !dashboard;
                if (dashboard)
                {
                    // Aspire.Hosting.Testing would put the dashboard on fixed ports (8080, 4317).
                    host.Configuration!["ASPNETCORE_URLS"] = $"http://localhost:{FreePort.Next()}";
                    host.Configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{FreePort.Next()}";
                }
            },
            cancellationToken);
        configure?.Invoke(builder);

        var app = await builder.BuildAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            await app.StartAsync(timeout.Token);
            await WaitForHealthyAsync(app, ReadySummary.AwaitedInstances(app.Services.GetRequiredService<DistributedApplicationModel>()), timeout.Token);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sets environment variables of resources, by resource name.</summary>
    public static void WithEnvironment(this IDistributedApplicationTestingBuilder builder, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> environment)
    {
        foreach (var (resource, variables) in environment)
        {
            var project = builder.CreateResourceBuilder<ProjectResource>(resource);
            foreach (var (name, value) in variables)
            {
                project.WithEnvironment(name, value);
            }
        }
    }

    /// <summary>Waits until as many distinct instances of each resource as given report Healthy at once.</summary>
    private static async Task WaitForHealthyAsync(DistributedApplication app, Dictionary<string, int> instances, CancellationToken cancellationToken)
    {
        var healthy = instances.Keys.ToDictionary(name => name, _ => new HashSet<string>(), StringComparer.Ordinal);
        await foreach (var update in app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (!healthy.TryGetValue(update.Resource.Name, out var ids))
            {
                continue;
            }

            if (update.Snapshot.HealthStatus == HealthStatus.Healthy && update.Snapshot.State?.Text == KnownResourceStates.Running)
            {
                ids.Add(update.ResourceId);
            }
            else
            {
                ids.Remove(update.ResourceId);
            }

            if (instances.All(wanted => healthy[wanted.Key].Count >= wanted.Value))
            {
                return;
            }
        }
    }
}
