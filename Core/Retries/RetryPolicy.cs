namespace AspireJobs.Core.Retries;

/// <summary>
/// What happens after an attempt fails: another attempt after an exponential backoff with full
/// jitter, or the dead letters once the job's retries are used up (or the error is permanent).
/// The wait before the retry that follows failure number n (1, 2, 3, ...) is uniformly random in
/// [0, min(base · 2^(n−1), max)]: full jitter spreads a burst of failures over the whole window,
/// so retries do not arrive in waves.
/// </summary>
public sealed record RetryPolicy(TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(60);

    public static RetryPolicy Default { get; } = new(DefaultBaseDelay, DefaultMaxDelay);

    /// <summary>The most the retry after failure number <paramref name="failures"/> waits: min(base · 2^(n−1), max).</summary>
    public TimeSpan Ceiling(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var exponential = BaseDelay.Ticks * Math.Pow(2, failures - 1);
        return exponential >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)exponential);
    }

    /// <summary>The wait before the next attempt: uniformly random between zero and the ceiling.</summary>
    public TimeSpan Delay(int failures, Random random) =>
        TimeSpan.FromTicks((long)(Ceiling(failures).Ticks * random.NextDouble()));

    /// <summary>
    /// Decides after a failure. <paramref name="failures"/> counts this one; a job may fail
    /// <paramref name="maxRetries"/> times and still be retried, and goes to the dead letters on
    /// the next failure.
    /// </summary>
    public FailureOutcome Decide(int failures, int maxRetries, bool permanent, Random random) =>
        permanent || failures > maxRetries
            ? FailureOutcome.DeadLetter
            : FailureOutcome.RetryAfter(Delay(failures, random));
}

/// <summary>The decision after a failed attempt: retry after <see cref="Delay"/>, or dead-letter.</summary>
public sealed record FailureOutcome(bool Retry, TimeSpan Delay)
{
    public static FailureOutcome DeadLetter { get; } = new(false, TimeSpan.Zero);

    public static FailureOutcome RetryAfter(TimeSpan delay) => new(true, delay);
}
