using System.Diagnostics.Metrics;
using AspireJobs.Core.Telemetry;
using AspireJobs.Indexer;
using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.Tests.Telemetry;

/// <summary>Every histogram of seconds advises buckets in seconds: OpenTelemetry's default buckets are for milliseconds.</summary>
public sealed class DurationHistogramTests
{
    [Fact]
    public void EveryHistogramOfSeconds_AdvisesBucketsUnderASecond()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var histograms = new List<Histogram<double>>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument is Histogram<double> { Unit: "s" } histogram && instrument.Meter.Name.StartsWith("AspireJobs", StringComparison.Ordinal))
                {
                    histograms.Add(histogram);
                }
            },
        };
        listener.Start();

        _ = new JobsMetrics(meters);
        _ = new IndexerMetrics(meters);

        Assert.Contains(histograms, h => h.Name == "aspirejobs.memory.batch.duration");
        Assert.All(histograms, h => Assert.True(h.Advice?.HistogramBucketBoundaries is [< 0.01, ..], $"{h.Name} advises no buckets in seconds"));
    }
}
