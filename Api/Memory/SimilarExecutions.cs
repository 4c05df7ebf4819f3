using AspireJobs.Core.Jobs;
using AspireJobs.Core.Memory;

namespace AspireJobs.Api.Memory;

/// <summary>A past attempt found by meaning, as the contract shows it.</summary>
public sealed record SimilarExecution(
    float Score, Guid JobId, int Attempt, string Type, ExecutionOutcome Outcome, JobStatus JobStatus, string? Error, int Attempts, string Href);

/// <summary>The answer of <c>/api/jobs/{id}/similar</c> and <c>/api/executions/search</c>, best first.</summary>
public sealed record SimilarExecutionsResponse(IReadOnlyList<SimilarExecution> Items);

/// <summary>
/// Searches execution memory and shows what it found: the vector store gives attempts and
/// scores, one PostgreSQL query gives each attempt's error and what became of its job.
/// </summary>
public sealed class SimilarExecutions(IVectorStore vectors, ExecutionMemoryStore store, IEmbedder embedder)
{
    /// <summary>Asked of the store beyond the limit: matches whose job was purged are dropped after it answers.</summary>
    private const int Slack = 10;

    public async Task<IReadOnlyList<SimilarExecution>> FindAsync(
        float[] vector, string? jobType, ExecutionOutcome? outcome, Guid? excludeJobId, int limit, CancellationToken cancellationToken)
    {
        var matches = await vectors.SearchAsync(vector, jobType, outcome, excludeJobId, limit + Math.Min(limit, Slack), cancellationToken);
        var details = (await store.ExecutionMatchGetAsync(matches.Select(m => (m.JobId, m.Attempt)).ToList(), cancellationToken))
            .ToDictionary(d => (d.JobId, d.Attempt));
        return matches
            .Where(m => details.ContainsKey((m.JobId, m.Attempt)))
            .Take(limit)
            .Select(m =>
            {
                var detail = details[(m.JobId, m.Attempt)];
                return new SimilarExecution(
                    MathF.Round(m.Score, 4), m.JobId, m.Attempt, detail.JobType, m.Outcome, detail.JobStatus, detail.Error, detail.JobAttempts, $"/api/jobs/{m.JobId}");
            })
            .ToList();
    }

    /// <summary>The vector of a job's latest finished attempt: stored by the indexer, or embedded now when not stored yet. Null: nothing to compare.</summary>
    public async Task<float[]?> VectorOfAsync(LatestFinishedExecution latest, Guid jobId, bool embedWhenMissing, CancellationToken cancellationToken)
    {
        if (latest.Attempt is not { } attempt || latest.Outcome is not { } outcome)
        {
            return null;
        }

        if (await vectors.GetAsync(jobId, attempt, cancellationToken) is { } stored)
        {
            return stored;
        }

        if (!embedWhenMissing)
        {
            return null;
        }

        var text = ExecutionText.Build(latest.JobType, outcome, latest.Error, latest.Duration);
        return (await embedder.EmbedAsync([text], cancellationToken))[0];
    }

    /// <summary>A free text, normalised as attempts' errors are, embedded.</summary>
    public async Task<float[]> EmbedQueryAsync(string text, CancellationToken cancellationToken) =>
        (await embedder.EmbedAsync([ExecutionText.NormaliseError(text)], cancellationToken))[0];
}
