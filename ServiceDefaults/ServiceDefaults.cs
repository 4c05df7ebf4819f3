using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AspireJobs.ServiceDefaults;

/// <summary>
/// The defaults every service starts with, as in Aspire's ServiceDefaults template: telemetry,
/// health checks, service discovery and resilient HttpClients, and a one-line explanation when
/// configuration stops the service at start.
/// </summary>
public static class ServiceDefaults
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        StartupFailure.ExplainConfigurationErrors(builder.Environment.ApplicationName);

        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>Maps <c>/health</c> (ready: every check passes) and <c>/alive</c> (the process answers).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        return app;
    }
}
