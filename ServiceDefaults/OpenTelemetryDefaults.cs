using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AspireJobs.ServiceDefaults;

/// <summary>
/// Logs, metrics and traces through OpenTelemetry, exported over OTLP when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (as an Aspire AppHost sets it), or, for that signal
/// alone, the endpoint of one (<c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>, ...); the service name and
/// instance come from <c>OTEL_SERVICE_NAME</c> and <c>OTEL_RESOURCE_ATTRIBUTES</c>. The PostgreSQL
/// and Redis clients' traces and metrics are added by their Aspire client integrations.
/// Without an endpoint nothing is recorded (OpenTelemetry's own <c>OTEL_SDK_DISABLED</c>, unless
/// configuration sets it): the spans and log records that no exporter takes cost the Api about a
/// tenth of its CPU per create. <c>OTEL_SDK_DISABLED=false</c> keeps them recorded.
/// </summary>
public static class OpenTelemetryDefaults
{
    /// <summary>Every ActivitySource and Meter of this project is named AspireJobs or AspireJobs.*.</summary>
    public static readonly string[] ProjectSources = ["AspireJobs", "AspireJobs.*"];

    /// <summary>The standard variable naming the OTLP endpoint; without it or one signal's, nothing is recorded.</summary>
    public const string ExporterEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string TracesEndpointKey = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public const string MetricsEndpointKey = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
    public const string LogsEndpointKey = "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT";

    /// <summary>The variables any of which names where OTLP goes: for every signal, or for one.</summary>
    public static readonly string[] ExporterEndpointKeys = [ExporterEndpointKey, TracesEndpointKey, MetricsEndpointKey, LogsEndpointKey];

    /// <summary>OpenTelemetry's switch: when true, its tracer, meter and logger providers do nothing.</summary>
    public const string SdkDisabledKey = "OTEL_SDK_DISABLED";

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        bool IsSet(string key) => !string.IsNullOrWhiteSpace(builder.Configuration[key]);
        var everySignal = IsSet(ExporterEndpointKey);

        // With one signal's endpoint only, that signal alone gets an exporter: the others would
        // export to OTLP's default address, where nothing listens.
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            if (!everySignal && IsSet(LogsEndpointKey))
            {
                logging.AddOtlpExporter();
            }
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(ProjectSources);
                if (!everySignal && IsSet(MetricsEndpointKey))
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(builder.Environment.ApplicationName)
                    .AddSource(ProjectSources)
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = IsNotHealthProbe)
                    .AddHttpClientInstrumentation();
                if (!everySignal && IsSet(TracesEndpointKey))
                {
                    tracing.AddOtlpExporter();
                }
            });

        if (everySignal)
        {
            telemetry.UseOtlpExporter();
        }
        else if (!ExporterEndpointKeys.Any(IsSet))
        {
            // Read by OpenTelemetry when it builds its providers, at the host's start.
            builder.Configuration[SdkDisabledKey] ??= "true";
        }

        return builder;
    }

    // Probes every few seconds would drown the traces that matter.
    private static bool IsNotHealthProbe(HttpContext context) =>
        !context.Request.Path.StartsWithSegments(HealthEndpoints.HealthPath)
        && !context.Request.Path.StartsWithSegments(HealthEndpoints.AlivePath);
}
