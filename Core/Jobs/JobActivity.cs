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

    /// <summary>The mean wait from due to start of the attempts started in the bucket, if any started.</summary>
    public double? MeanWaitMs => Started == 0 ? null : (double)WaitMs / Started;
}
