using AspireJobs.Core.Jobs;
using AspireJobs.Core.Memory;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace AspireJobs.Api.Memory;

/// <summary><c>likelyOutcome</c> of a job: what became of the jobs whose failures were most like its own.</summary>
public sealed record LikelyOutcomeResponse(int BasedOn, bool Enough, double? Completed, double? DeadLettered)
{
    public static LikelyOutcomeResponse From(OutcomeForecast forecast) =>
        new(forecast.BasedOn, forecast.Enough, forecast.Completed, forecast.DeadLettered);
}

/// <summary>
/// Forecasts how a failing job will end from its nearest past failures
/// (<see cref="OutcomeForecaster"/>). Only for a job that failed and may retry, or is a dead
/// letter, and only once the indexer has stored its latest attempt: an ordinary read never runs
/// the model, and costs nothing for a job memory has no opinion about.
/// </summary>
public sealed partial class LikelyOutcomes(
    ExecutionMemoryStore store, IVectorStore vectors, IOptions<MemoryOptions> options, ILogger<LikelyOutcomes> logger)
{
    private readonly MemoryOptions _options = options.Value;

    public async Task<LikelyOutcomeResponse?> ForAsync(Job job, CancellationToken cancellationToken)
    {
        if (!OutcomeForecaster.Qualifies(job.Status, job.Error))
        {
            return null;
        }

        try
        {
            if (await store.ExecutionGetLatestFinishedAsync(job.Id, cancellationToken) is not { Attempt: { } attempt }
                || await vectors.GetAsync(job.Id, attempt, cancellationToken) is not { } vector)
            {
                return null;
            }

            var matches = (await vectors.SearchAsync(vector, null, null, job.Id, _options.LikelyOutcomeNeighbours, cancellationToken))
                .Where(m => m.Outcome != ExecutionOutcome.Completed && m.Score >= _options.LikelyOutcomeMinScore)
                .ToList();
            var details = await store.ExecutionMatchGetAsync(matches.Select(m => (m.JobId, m.Attempt)).ToList(), cancellationToken);
            var statuses = details.ToDictionary(d => (d.JobId, d.Attempt), d => d.JobStatus);
            var fates = matches
                .Where(m => statuses.ContainsKey((m.JobId, m.Attempt)))
                .Select(m => new NeighbourFate(m.JobId, m.Score, statuses[(m.JobId, m.Attempt)]));
            return LikelyOutcomeResponse.From(OutcomeForecaster.Forecast(fates, (float)_options.LikelyOutcomeMinScore));
        }
        catch (Exception e) when (e is RpcException or HttpRequestException)
        {
            // The vector store (Qdrant) is away: the job is still answered, without an opinion.
            LogMemoryUnavailable(job.Id, e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No likely outcome for job {JobId}: execution memory is unavailable ({Reason})")]
    private partial void LogMemoryUnavailable(Guid jobId, string reason);
}
