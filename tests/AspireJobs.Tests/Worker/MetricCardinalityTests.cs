using System.Diagnostics.Metrics;
using AspireJobs.Worker;
using AspireJobs.Worker.Fleet;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace AspireJobs.Tests.Worker;

/// <summary>The worker's one cardinality limit for its metrics, exported in memory.</summary>
public sealed class MetricCardinalityTests
{
    private readonly string _meterName = $"cardinality.{Guid.NewGuid():N}";

    [Fact]
    public void AMetric_KeepsNoMoreTagSetsThanTheLimit_AndCountsTheRestUnderOverflow()
    {
        var (exported, meter, provider, container) = Start(limit: 20);
        using var disposeContainer = container;
        using var disposeMeter = meter;
        var started = meter.CreateCounter<long>("jobs.started");
        for (var type = 0; type < 100; type++)
        {
            started.Add(1, new KeyValuePair<string, object?>("messaging.destination.name", $"type-{type}"));
        }

        provider.ForceFlush();

        var points = Points(exported, "jobs.started");
        Assert.InRange(points.Count, 2, 20 + 1); // the limit's tag sets, and the overflow's point
        Assert.Contains(points, point => HasTag(point, "otel.metric.overflow"));
        Assert.Equal(100, points.Sum(point => point.GetSumLong())); // nothing is lost, only merged
    }

    [Fact]
    public void AHistogram_KeepsTheBucketBoundariesItsInstrumentAdvises()
    {
        double[] boundaries = [0.001, 0.01, 0.1, 1];
        var (exported, meter, provider, container) = Start(WorkerOptions.DefaultMetricCardinalityLimit);
        using var disposeContainer = container;
        using var disposeMeter = meter;
        meter.CreateHistogram("job.run.duration", "s", null, null, new InstrumentAdvice<double> { HistogramBucketBoundaries = boundaries }).Record(0.05);
        provider.ForceFlush();

        var point = Assert.Single(Points(exported, "job.run.duration"));
        var bounds = new List<double>();
        foreach (var bucket in point.GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
        }

        Assert.Equal([.. boundaries, double.PositiveInfinity], bounds);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(100_001)]
    public void ALimitOutOfRange_IsRefusedAtStart_NamingTheKey(int limit)
    {
        var errors = new WorkerOptions { MetricCardinalityLimit = limit }.Validate(WorkerOptions.Section);

        Assert.Equal($"Worker:MetricCardinalityLimit must be between 10 and 100000 (was {limit}).", Assert.Single(errors));
    }

    /// <summary>A meter provider as the worker configures it, exporting in memory; disposing the returned container disposes the provider.</summary>
    private (List<MetricSnapshot> Exported, Meter Meter, MeterProvider Provider, ServiceProvider Services) Start(int limit)
    {
        var exported = new List<MetricSnapshot>();
        var services = new ServiceCollection();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(_meterName).AddInMemoryExporter(exported));
        services.LimitMetricCardinality(limit);
        var container = services.BuildServiceProvider();
        return (exported, new Meter(_meterName), container.GetRequiredService<MeterProvider>(), container);
    }

    /// <summary>The points of the metric's one export (the flush; disposing the provider would export again).</summary>
    private static IReadOnlyList<MetricPoint> Points(List<MetricSnapshot> exported, string name) =>
        Assert.Single(exported, metric => metric.Name == name).MetricPoints;

    private static bool HasTag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return true;
            }
        }

        return false;
    }
}
