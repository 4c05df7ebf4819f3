using System.Diagnostics;
using System.Net;
using AspireJobs.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AspireJobs.Tests.ServiceDefaults;

/// <summary>
/// <c>/health</c> is open to anyone and asks the servers each time its checks run: a healthy
/// answer is served again for a second rather than asking again (whatever the query string or
/// host), an unhealthy one never is, and a check that hangs (and heeds its token) is answered for
/// within the timeout.
/// </summary>
public sealed class HealthEndpointsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFloodOfProbes_RunsTheChecksOnceASecond_ButAnUnhealthyAnswerIsNeverServedAgain()
    {
        var healthy = false;
        var runs = 0;
        await using var app = await StartAsync(_ =>
        {
            Interlocked.Increment(ref runs);
            return Task.FromResult(healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("down"));
        });
        using var client = app.GetTestClient();

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync(HealthEndpoints.HealthPath, Token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        Assert.Equal(5, runs);

        healthy = true;
        var elapsed = Stopwatch.StartNew();
        const int probes = 200;
        for (var i = 0; i < probes; i++)
        {
            // A query string of its own, or another host, is no way around the cache.
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{HealthEndpoints.HealthPath}?probe={i}");
            request.Headers.Host = $"probe{i % 7}.example";
            using var response = await client.SendAsync(request, Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Each run's answer serves every probe of the next second: at most one run for each
        // second begun, however many probes came.
        var mostRuns = 5 + (int)Math.Ceiling(elapsed.Elapsed / HealthEndpoints.HealthyAnswerLifetime) + 1;
        Assert.InRange(runs, 6, Math.Min(mostRuns, 5 + probes / 4));

        // Nor is another method: probes read.
        using var post = await client.PostAsync(HealthEndpoints.HealthPath, null, Token);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task ACheckThatHangs_IsAnsweredAsTimedOut_WithinTheTimeout()
    {
        // A check that gives way to its token by throwing (PostgreSQL's reports unhealthy instead: 503).
        await using var app = await StartAsync(async token =>
        {
            await Task.Delay(TimeSpan.FromMinutes(2), token);
            return HealthCheckResult.Healthy();
        });
        using var client = app.GetTestClient();
        client.Timeout = TimeSpan.FromMinutes(1);

        using var response = await client.GetAsync(HealthEndpoints.HealthPath, Token);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }

    /// <summary>A host with the services' health endpoints and one check of the test's own.</summary>
    private static async Task<WebApplication> StartAsync(Func<CancellationToken, Task<HealthCheckResult>> check)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.AddDefaultHealthChecks();
        builder.Services.AddHealthChecks().AddAsyncCheck("probed", check);
        var app = builder.Build();
        app.MapHealthEndpoints();
        await app.StartAsync(Token);
        return app;
    }
}
