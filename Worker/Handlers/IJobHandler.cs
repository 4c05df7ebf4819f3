using AspireJobs.Core.Workflows;

namespace AspireJobs.Worker.Handlers;

/// <summary>
/// Runs jobs of one type. The payload arrives deserialized as <typeparamref name="TPayload"/>
/// and the returned value is stored, serialized, as the job's result. Throwing fails the attempt
/// (it is retried with backoff while retries are left); throw <see cref="PermanentJobException"/>
/// for an error that no retry can fix. The token fires on the job's timeout, on cancellation
/// and on shutdown.
/// </summary>
public interface IJobHandler<in TPayload, TResult>
{
    Task<TResult> HandleAsync(TPayload payload, JobContext context, CancellationToken cancellationToken);
}

/// <summary>What a handler may want to know about the job it runs.</summary>
public sealed record JobContext(Guid JobId, string Type, int Attempt, int MaxRetries, TimeSpan Timeout, Guid WorkerId)
{
    /// <summary>Reads how the jobs this one depends on ended; set by the worker.</summary>
    internal Func<CancellationToken, Task<IReadOnlyList<ParentOutcome>>> ReadParents { get; init; } = _ => Task.FromResult<IReadOnlyList<ParentOutcome>>([]);

    /// <summary>
    /// How each job this one depends on ended, with its result (or error): completed, or, for a
    /// job whose policy let it run anyway, dead_lettered or cancelled. Empty for a job without
    /// dependencies. Read when asked (as BullMQ's <c>getChildrenValues</c>), so jobs that never
    /// ask cost nothing.
    /// </summary>
    public Task<IReadOnlyList<ParentOutcome>> GetParentsAsync(CancellationToken cancellationToken = default) => ReadParents(cancellationToken);
}

/// <summary>An error no retry can fix: the job goes to the dead letters at once.</summary>
public sealed class PermanentJobException(string message, Exception? inner = null) : Exception(message, inner);
