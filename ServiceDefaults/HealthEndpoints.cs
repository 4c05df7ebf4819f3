using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace AspireJobs.ServiceDefaults;

/// <summary>
/// <c>/health</c> answers 200 when every registered check passes (readiness: the service can do
/// its work); <c>/alive</c> answers 200 when the checks tagged <c>live</c> pass (liveness: the
/// process is not stuck). Client registrations add their checks to readiness only.
/// </summary>
/// <remarks>
/// Both are open to anyone, and <c>/health</c> asks PostgreSQL and Redis each time it runs, so a
/// healthy answer is served again for <see cref="HealthyAnswerLifetime"/> (ASP.NET Core's output
/// cache, one entry per path whatever the query string or host, for GET and HEAD, the only
/// methods they answer): a flood of healthy probes costs the servers about one round of checks a
/// second (probes that arrive together as an answer expires each run them). An unhealthy answer is never cached, so recovery shows at the next probe. Requests do
/// not wait on one another's run (the cache's locking is off): a waiter would run the checks again
/// after an unhealthy first answer, or fail with its cancellation. Checks get a token that fires
/// after <see cref="AnswerTimeout"/> (ASP.NET Core's request timeouts): PostgreSQL's check then
/// reports unhealthy (503), one that gives way by throwing answers 504, and Redis's check, which
/// takes no token, is bounded by its client's own command timeout.
/// </remarks>
public static class HealthEndpoints
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";
    public const string LiveTag = "live";

    /// <summary>How long a healthy answer is served without running the checks again.</summary>
    public static readonly TimeSpan HealthyAnswerLifetime = TimeSpan.FromSeconds(1);

    /// <summary>The longest an answer waits for its checks; a prober's own timeout is usually longer.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    private const string Policy = "health";

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.AddOutputCache(cache => cache.AddPolicy(Policy, answer => answer
            .Expire(HealthyAnswerLifetime)
            .SetVaryByQuery([])
            .SetVaryByHost(false)
            .SetLocking(false)));
        builder.Services.AddRequestTimeouts(timeouts => timeouts.AddPolicy(Policy, new RequestTimeoutPolicy { Timeout = AnswerTimeout }));
        return builder;
    }

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.UseRequestTimeouts();
        app.UseOutputCache();
        // Open to anyone (the orchestrator probes them), where every other route needs a key.
        Probed(app.MapHealthChecks(HealthPath));
        Probed(app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) }));
        return app;
    }

    private static void Probed(IEndpointConventionBuilder endpoint) => endpoint
        .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
        .AllowAnonymous()
        .CacheOutput(Policy)
        .WithRequestTimeout(Policy);
}
