using Aspire.Hosting;
using Aspire.Hosting.Testing;
using AspireJobs.AppHost.Lifecycle;
using AspireJobs.Api.Access;
using AspireJobs.AppHost.Services;
using AspireJobs.LocalProcesses;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// The whole of AspireJobs started through its AppHost (<see cref="AspireJobsAppHost"/>) in a data
/// directory of the test's own, with a client of its api and its apphost.json at hand.
/// </summary>
public sealed class AspireJobsApp : IAsyncDisposable
{
    private AspireJobsApp(DistributedApplication app, string dataDirectory, HttpClient api)
    {
        App = app;
        DataDirectory = dataDirectory;
        Api = api;
    }

    public DistributedApplication App { get; }

    public string DataDirectory { get; }

    /// <summary>A client of the api, from <c>CreateHttpClient("api")</c>, sending the admin key the AppHost generated.</summary>
    public HttpClient Api { get; }

    /// <summary>The key the AppHost generated for <paramref name="scope"/>, from the data directory, as a client would read it.</summary>
    public string ApiKey(ApiScope scope = ApiScope.Admin) =>
        ApiKeys.Read(DataDirectory, scope.Name());

    /// <summary>apphost.json as it is now.</summary>
    public StatusDocument Status() => StatusFile.Read(StatusFile.PathIn(DataDirectory)) ?? throw new InvalidOperationException("apphost.json is missing or unreadable.");

    /// <summary>The last lines of an instance's console log (what the dashboard's Console page shows), to explain a failure.</summary>
    public async Task<string> ConsoleLogTailAsync(string resourceId, int lines = 40)
    {
        var tail = new Queue<string>();
        await foreach (var batch in App.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(resourceId))
        {
            foreach (var line in batch)
            {
                tail.Enqueue(line.Content);
                if (tail.Count > lines)
                {
                    tail.Dequeue();
                }
            }
        }

        return string.Join('\n', tail);
    }

    /// <param name="environment">Variables per resource name, e.g. faster heartbeats for <c>worker</c>.</param>
    /// <param name="dashboard">Run the Aspire dashboard too, on free loopback ports.</param>
    public static async Task<AspireJobsApp> StartAsync(
        string dataDirectory, int workers = 2, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? environment = null, bool dashboard = false)
    {
        var app = await AspireJobsAppHost.StartAsync(
            dataDirectory, workers, builder => builder.WithEnvironment(environment ?? new Dictionary<string, IReadOnlyDictionary<string, string>>()),
            dashboard, TestContext.Current.CancellationToken);
        var api = app.CreateHttpClient("api");
        api.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, ApiKeys.Read(dataDirectory));
        return new AspireJobsApp(app, dataDirectory, api);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
    }
}
