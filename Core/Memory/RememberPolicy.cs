using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace AspireJobs.Core.Memory;

/// <summary>
/// Which finished attempts execution memory keeps: every failure, timeout and dead letter, and a
/// deterministic sample of successes per type (by a hash of the job id, so every process, and a
/// restarted indexer, picks the same jobs).
/// </summary>
public sealed class RememberPolicy(double successSampleRate, IReadOnlyDictionary<string, double>? successSampleRates = null)
{
    private readonly double _highestRate = (successSampleRates?.Values ?? []).Append(successSampleRate).Max();

    /// <summary>The outcome to remember the attempt under, or null to leave it out.</summary>
    public ExecutionOutcome? Remember(FinishedAttempt attempt)
    {
        var outcome = ExecutionOutcomeText.Of(attempt.Status, attempt.JobStatusAfter);
        return outcome switch
        {
            null => null,
            ExecutionOutcome.Completed => IsSampled(attempt.JobId, RateOf(attempt.JobType)) ? outcome : null,
            _ => outcome,
        };
    }

    /// <summary>
    /// Whether a completed attempt of this job may be remembered, before its type is known: false
    /// when the job falls outside the sample of every type (a sample of a lower rate lies inside
    /// that of a higher one).
    /// </summary>
    public bool MayRememberCompleted(Guid jobId) => IsSampled(jobId, _highestRate);

    public double RateOf(string jobType) =>
        successSampleRates is not null && successSampleRates.TryGetValue(jobType, out var rate) ? rate : successSampleRate;

    /// <summary>Whether a job falls in a sample of <paramref name="rate"/> (0 none, 1 all), the same answer everywhere.</summary>
    public static bool IsSampled(Guid jobId, double rate)
    {
        if (rate <= 0)
        {
            return false;
        }

        if (rate >= 1)
        {
            return true;
        }

        Span<Guid> id = [jobId];
        var hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(id));
        return hash < rate * ulong.MaxValue;
    }
}
