using System.Diagnostics.Metrics;
using AspireJobs.Core.Telemetry;

namespace AspireJobs.Indexer;

/// <summary>The indexer's instruments, on the meter <c>AspireJobs.Indexer</c>.</summary>
public sealed class IndexerMetrics
{
    public const string MeterName = "AspireJobs.Indexer";

    private readonly Counter<long> _embedded;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _modelTexts;
    private readonly Histogram<double> _batchDuration;

    public IndexerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _embedded = meter.CreateCounter<long>("aspirejobs.memory.attempts_embedded", "{attempt}", "Finished attempts whose vectors were stored, cache hits included.");
        _cacheHits = meter.CreateCounter<long>("aspirejobs.memory.cache_hits", "{attempt}", "Attempts whose text was embedded before (the model did not run).");
        _modelTexts = meter.CreateCounter<long>("aspirejobs.memory.model_texts", "{text}", "Texts the model embedded.");
        _batchDuration = meter.CreateHistogram<double>("aspirejobs.memory.batch.duration", "s", "Time to embed and store one batch.", advice: JobsMetrics.SecondsAdvice);
    }

    public void Stored(int attempts, int cacheHits, int modelTexts, TimeSpan took)
    {
        _embedded.Add(attempts);
        _cacheHits.Add(cacheHits);
        _modelTexts.Add(modelTexts);
        _batchDuration.Record(took.TotalSeconds);
    }
}
