using AspireJobs.ServiceDefaults;

namespace AspireJobs.Indexer;

/// <summary>Options of the indexer, from the configuration section <c>Indexer</c>.</summary>
public sealed class IndexerOptions : IValidatedOptions
{
    public const string Section = "Indexer";

    public const int DefaultBatchSize = 64;
    public const double DefaultSuccessSampleRate = 0.05;
    public const int DefaultCacheSize = 10_000;
    public const int DefaultQueuedBatches = 4;

    /// <summary>Attempts embedded and stored together.</summary>
    public int BatchSize { get; set; } = DefaultBatchSize;

    /// <summary>The share of successful attempts remembered, per type unless <see cref="SuccessSampleRates"/> names it (0 to 1).</summary>
    public double SuccessSampleRate { get; set; } = DefaultSuccessSampleRate;

    /// <summary>Per-type shares of successes remembered, overriding <see cref="SuccessSampleRate"/>.</summary>
    public Dictionary<string, double> SuccessSampleRates { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How many normalised texts keep their vectors, most recently used first: a repeated failure is embedded once.</summary>
    public int CacheSize { get; set; } = DefaultCacheSize;

    /// <summary>Batches read ahead of the model at most: the reader waits (back-pressure) when the model is behind.</summary>
    public int QueuedBatches { get; set; } = DefaultQueuedBatches;

    /// <summary>How long to wait before reading again when the log had nothing new.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The longest a gap in the log's ids is waited for (from the stamp of the event after it)
    /// before it is taken for a rolled-back transaction and passed. Ids are taken at insert, not
    /// at commit, so a transaction that took a smaller id may still commit. A gap is passed at
    /// once when the database shows that every transaction that could hold its ids has ended
    /// (<see cref="Core.Jobs.JobEventLogSettling"/>), usually by the next read; this bounds the
    /// wait when a session keeps a transaction open. A finish still uncommitted this long after
    /// the next event was stamped is passed over: memory is a sample of the past, not a ledger.
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait before trying again after PostgreSQL (or Qdrant) failed.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<string> Validate(string section)
    {
        if (BatchSize is < 1 or > 10_000)
        {
            yield return $"{section}:BatchSize must be between 1 and 10000 (was {BatchSize}).";
        }

        if (SuccessSampleRate is < 0 or > 1 || double.IsNaN(SuccessSampleRate))
        {
            yield return $"{section}:SuccessSampleRate must be between 0 and 1 (was {SuccessSampleRate}).";
        }

        foreach (var (type, rate) in SuccessSampleRates)
        {
            if (rate is < 0 or > 1 || double.IsNaN(rate))
            {
                yield return $"{section}:SuccessSampleRates:{type} must be between 0 and 1 (was {rate}).";
            }
        }

        if (CacheSize is < 0 or > 10_000_000)
        {
            yield return $"{section}:CacheSize must be between 0 and 10000000 (was {CacheSize}).";
        }

        if (QueuedBatches is < 1 or > 1000)
        {
            yield return $"{section}:QueuedBatches must be between 1 and 1000 (was {QueuedBatches}).";
        }

        foreach (var (name, value) in new[] { ("PollInterval", PollInterval), ("RetryDelay", RetryDelay) })
        {
            if (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromHours(1))
            {
                yield return $"{section}:{name} must be a time span from 00:00:00.010 to 01:00:00 (was {value}).";
            }
        }

        if (SettleDelay < TimeSpan.Zero || SettleDelay > TimeSpan.FromHours(1))
        {
            yield return $"{section}:SettleDelay must be a time span from 00:00:00 to 01:00:00 (was {SettleDelay}).";
        }
    }
}
