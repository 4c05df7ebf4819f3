namespace AspireJobs.Core.Memory;

/// <summary>One remembered attempt: its vector and what a search may filter on.</summary>
public sealed record ExecutionVector(Guid JobId, int Attempt, string JobType, ExecutionOutcome Outcome, float[] Vector);

/// <summary>A remembered attempt near a query; <see cref="Score"/> is the cosine similarity, 1 for the same meaning.</summary>
public sealed record VectorMatch(Guid JobId, int Attempt, ExecutionOutcome Outcome, float Score);

/// <summary>
/// Where execution memory keeps its vectors. Two implementations pass the same contract tests:
/// <see cref="PostgresVectorStore"/> (the default, exact search) and <see cref="QdrantVectorStore"/>
/// (used when <c>ConnectionStrings:qdrant</c> is set, approximate search with HNSW).
/// </summary>
public interface IVectorStore
{
    /// <summary>
    /// The name of the indexer's cursor into the log for this store (<c>job_event_cursors</c>):
    /// each store has its own, so one switched to later is filled from the start of the log, not
    /// from where another store's indexing stopped.
    /// </summary>
    string CursorName { get; }

    /// <summary>Stores the vectors; an attempt already stored keeps its vector (an attempt's text never changes).</summary>
    Task UpsertAsync(IReadOnlyList<ExecutionVector> vectors, CancellationToken cancellationToken);

    /// <summary>
    /// The <paramref name="limit"/> stored attempts nearest <paramref name="vector"/> (unit length),
    /// best first, of <paramref name="jobType"/> and <paramref name="outcome"/> when given, none of
    /// job <paramref name="excludeJobId"/>.
    /// </summary>
    Task<IReadOnlyList<VectorMatch>> SearchAsync(
        float[] vector, string? jobType, ExecutionOutcome? outcome, Guid? excludeJobId, int limit, CancellationToken cancellationToken);

    /// <summary>The stored vector of one attempt, or null when it is not (yet) stored.</summary>
    Task<float[]?> GetAsync(Guid jobId, int attempt, CancellationToken cancellationToken);
}
