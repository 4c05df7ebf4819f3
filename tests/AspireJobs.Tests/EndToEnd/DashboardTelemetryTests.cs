using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.EndToEnd;

/// <summary>
/// The Aspire dashboard, started with the AppHost, receives every service's telemetry: asked
/// through its own telemetry API, as the dashboard's pages read it.
/// </summary>
public sealed class DashboardTelemetryTests(TestServers servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheDashboard_ListsEveryService_AndHoldsTheTraceOfAJobRequest()
    {
        await using var system = await AspireJobsApp.StartAsync(servers.CreateDirectory("apphost"), workers: 1, dashboard: true);
        var created = await system.Api.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created);
        await AppHostEndToEndTests.PollAsync(system.Api, $"/api/jobs/{created.Id()}", j => j.Status() == "completed");

        using var dashboard = await TelemetryClientAsync(system);

        await WaitForAsync(dashboard, "/api/telemetry/resources",
            resources => new[] { "api", "worker", "healthmonitor" }.All(name => resources.Contains($"\"{name}", StringComparison.Ordinal)),
            "every service's telemetry");
        await WaitForAsync(dashboard, "/api/telemetry/spans?resource=api",
            spans => spans.Contains("POST /api/jobs", StringComparison.Ordinal) && spans.Contains("send noop", StringComparison.Ordinal),
            "the spans of the job's creation and enqueue");

        // The worker's spans of the attempt belong to the trace of the request that created the job.
        var traceId = "";
        await WaitForAsync(dashboard, "/api/telemetry/spans?resource=api", spans => (traceId = TraceIdOf(spans, "send noop")) != "", "the enqueue's trace id");
        await WaitForAsync(dashboard, "/api/telemetry/spans?resource=worker",
            spans => new[] { "receive noop", "process noop", "settle noop" }.All(name => TraceIdOf(spans, name) == traceId),
            "the attempt's acquisition, handler and finishing write in the request's trace");
    }

    /// <summary>The trace id of the first span named <paramref name="name"/> in the dashboard's OTLP JSON, or "".</summary>
    private static string TraceIdOf(string otlpJson, string name)
    {
        using var document = JsonDocument.Parse(otlpJson);
        foreach (var span in Objects(document.RootElement))
        {
            if (span.TryGetProperty("name", out var spanName) && spanName.ValueKind == JsonValueKind.String && spanName.GetString() == name
                && span.TryGetProperty("traceId", out var traceId))
            {
                return traceId.GetString() ?? "";
            }
        }

        return "";
    }

    private static IEnumerable<JsonElement> Objects(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            yield return element;
            foreach (var property in element.EnumerateObject())
            {
                foreach (var inner in Objects(property.Value))
                {
                    yield return inner;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                foreach (var inner in Objects(item))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>A client of the dashboard's telemetry API, with the key its login token unlocks.</summary>
    private static async Task<HttpClient> TelemetryClientAsync(AspireJobsApp system)
    {
        var login = new Uri(await LoginUrlAsync(system));
        var token = System.Web.HttpUtility.ParseQueryString(login.Query)["t"]!;
        var client = new HttpClient { BaseAddress = new Uri(login.GetLeftPart(UriPartial.Authority)) };
        using var exchange = await client.PostAsJsonAsync("/api/telemetry/validateToken", new { token }, Token);
        exchange.EnsureSuccessStatusCode();
        if ((await exchange.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("apiKey").GetString() is { } key)
        {
            client.DefaultRequestHeaders.Add("x-api-key", key);
        }

        return client;
    }

    private static async Task<string> LoginUrlAsync(AspireJobsApp system)
    {
        var dashboard = await system.App.ResourceNotifications.WaitForResourceAsync(
            "aspire-dashboard", e => e.Snapshot.Urls.Any(u => u.Url.Contains("/login?t=", StringComparison.Ordinal)), Token);
        return dashboard.Snapshot.Urls.First(u => u.Url.Contains("/login?t=", StringComparison.Ordinal)).Url;
    }

    private static async Task WaitForAsync(HttpClient dashboard, string path, Func<string, bool> holds, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await dashboard.GetAsync(path, Token);
            last = await response.Content.ReadAsStringAsync(Token);
            if (response.IsSuccessStatusCode && holds(last))
            {
                return;
            }

            await Task.Delay(250, Token);
        }

        Assert.Fail($"The dashboard did not show {what} within {Patience.TotalSeconds} s; {path} last answered: {last[..Math.Min(last.Length, 2000)]}");
    }
}
