using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using AspireJobs.AppHost.Lifecycle;
using AspireJobs.LocalProcesses;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// The whole of AspireJobs started through its AppHost with Aspire.Hosting.Testing: the AppHost's
/// own model and command line, Aspire's orchestrator, a data directory of the test's own, no
/// dashboard. Ready once every instance of the api, the workers and the health monitor is healthy.
/// </summary>
public sealed class AspireJobsApp : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private AspireJobsApp(DistributedApplication app, string dataDirectory, HttpClient api)
    {
        App = app;
        DataDirectory = dataDirectory;
        Api = api;
    }

    public DistributedApplication App { get; }

    public string DataDirectory { get; }

    /// <summary>A client of the api, from <c>CreateHttpClient("api")</c>.</summary>
    public HttpClient Api { get; }

    /// <summary>apphost.json as it is now.</summary>
    public StatusDocument Status() => StatusFile.Read(StatusFile.PathIn(DataDirectory)) ?? throw new InvalidOperationException("apphost.json is missing or unreadable.");

    /// <param name="environment">Variables per resource name, e.g. faster heartbeats for <c>worker</c>.</param>
    /// <param name="dashboard">Run the Aspire dashboard too, on free loopback ports.</param>
    public static async Task<AspireJobsApp> StartAsync(
        string dataDirectory, int workers = 2, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? environment = null, bool dashboard = false)
    {
        var token = TestContext.Current.CancellationToken;
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
            token);
        foreach (var (resource, variables) in environment ?? new Dictionary<string, IReadOnlyDictionary<string, string>>())
        {
            var project = builder.CreateResourceBuilder<ProjectResource>(resource);
            foreach (var (name, value) in variables)
            {
                project.WithEnvironment(name, value);
            }
        }

        var app = await builder.BuildAsync(token);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(StartTimeout);
            await app.StartAsync(timeout.Token);
            await WaitForHealthyAsync(app, new() { ["api"] = 1, ["worker"] = workers, ["healthmonitor"] = 1 }, timeout.Token);
            return new AspireJobsApp(app, dataDirectory, app.CreateHttpClient("api"));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until as many distinct instances of each resource as given report Healthy at once.</summary>
    public static async Task WaitForHealthyAsync(DistributedApplication app, Dictionary<string, int> instances, CancellationToken cancellationToken)
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

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
    }
}
