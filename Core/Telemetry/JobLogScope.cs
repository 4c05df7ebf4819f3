using System.Collections;

namespace AspireJobs.Core.Telemetry;

/// <summary>
/// The logging scope of everything logged about one attempt of a job: <c>JobId</c>,
/// <c>JobType</c> and <c>JobAttempt</c> become attributes of each log record, so the Aspire
/// dashboard's structured logs filter by job (the same names as in the log messages).
/// </summary>
public sealed class JobLogScope(Guid jobId, string jobType, int attempt) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("JobId", jobId),
        1 => new("JobType", jobType),
        2 => new("JobAttempt", attempt),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"Job {jobId} ({jobType}) attempt {attempt}";
}
