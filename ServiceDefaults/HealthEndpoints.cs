using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Timeouts;
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
/// cache, which also lets requests that arrive together share one run), and an answer waits at
/// most <see cref="AnswerTimeout"/> for checks that heed their token (PostgreSQL's does; Redis's
/// is bounded by its client's command timeout): a flood of probes costs the servers one round of
/// checks a second, and a hung check answers 504 instead of holding the prober. An unhealthy
/// answer is never cached, so recovery shows at the next probe.
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
        builder.Services.AddOutputCache(cache => cache.AddPolicy(Policy, answer => answer.Expire(HealthyAnswerLifetime)));
        builder.Services.AddRequestTimeouts(timeouts => timeouts.AddPolicy(Policy, new RequestTimeoutPolicy { Timeout = AnswerTimeout }));
        return builder;
    }

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.UseRequestTimeouts();
        app.UseOutputCache();
        // Open to anyone (the orchestrator probes them), where every other route needs a key.
        app.MapHealthChecks(HealthPath).AllowAnonymous().CacheOutput(Policy).WithRequestTimeout(Policy);
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) })
            .AllowAnonymous().CacheOutput(Policy).WithRequestTimeout(Policy);
        return app;
    }
}
