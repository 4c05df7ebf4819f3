namespace AspireJobs.Core.Jobs;

/// <summary>
/// What moved in one 10-second bucket: attempts started (and their total wait from due to start),
/// and attempts finished by outcome.
/// </summary>
public sealed record JobActivity(
    DateTimeOffset Bucket,
    long Started,
    long WaitMs,
    long Completed,
    long Retried,
    long DeadLettered,
    long Cancelled)
{
    public static readonly TimeSpan BucketWidth = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The starts of the buckets of the <paramref name="window"/> before <paramref name="now"/>, oldest
    /// first, ending with the last whole one: the bucket still filling would read as a fall in
    /// throughput at the chart's right edge at every refresh.
    /// </summary>
    public static IReadOnlyList<DateTimeOffset> WholeBucketsBefore(DateTimeOffset now, TimeSpan window)
    {
        var current = new DateTimeOffset(now.UtcTicks / BucketWidth.Ticks * BucketWidth.Ticks, TimeSpan.Zero);
        var count = (int)(window / BucketWidth);
        return [.. Enumerable.Range(0, count).Select(i => current - (count - i) * BucketWidth)];
    }

    /// <summary>The mean wait from due to start of the attempts started in the bucket, if any started.</summary>
    public double? MeanWaitMs => Started == 0 ? null : (double)WaitMs / Started;
}
