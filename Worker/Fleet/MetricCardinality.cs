using OpenTelemetry.Metrics;

namespace AspireJobs.Worker.Fleet;

/// <summary>
/// One cardinality limit for every metric the worker exports: its own, the runtime's, the
/// clients' and the health endpoints'. OpenTelemetry allocates a metric's points up to its limit
/// when the metric is created, so the limit is memory held for the process's life whether or not
/// the tag sets ever come.
/// </summary>
public static class MetricCardinality
{
    public static IServiceCollection LimitMetricCardinality(this IServiceCollection services, int limit) =>
        // A view that only sets the limit keeps each instrument's name, description and advice
        // (the histograms' bucket boundaries).
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddView(_ => new MetricStreamConfiguration { CardinalityLimit = limit }));
}
