using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Memory;

/// <summary>A neighbour of a failing job: how alike its failure was, and what became of its job.</summary>
public sealed record NeighbourFate(Guid JobId, float Score, JobStatus JobStatusNow);

/// <summary>
/// What became of jobs that failed like this one: the share that completed after retries and the
/// share that ended dead-lettered, among <see cref="BasedOn"/> neighbours. With fewer neighbours
/// than the minimum it only says so (<see cref="Enough"/> false, no shares).
/// </summary>
public sealed record OutcomeForecast(int BasedOn, bool Enough, double? Completed, double? DeadLettered);

public static class OutcomeForecaster
{
    /// <summary>Fewer settled neighbours than this and no shares are given.</summary>
    public const int DefaultMinimumNeighbours = 3;

    /// <summary>
    /// Counts each neighbouring job once (its best score), if it scored at least
    /// <paramref name="minimumScore"/> and has settled: completed or dead-lettered. Jobs still
    /// retrying, or cancelled, say nothing about how such a failure ends.
    /// </summary>
    public static OutcomeForecast Forecast(IEnumerable<NeighbourFate> neighbours, float minimumScore, int minimumNeighbours = DefaultMinimumNeighbours)
    {
        var settled = neighbours
            .Where(n => n.Score >= minimumScore && n.JobStatusNow is JobStatus.Completed or JobStatus.DeadLettered)
            .DistinctBy(n => n.JobId)
            .ToList();
        if (settled.Count < minimumNeighbours)
        {
            return new OutcomeForecast(settled.Count, Enough: false, null, null);
        }

        var completed = settled.Count(n => n.JobStatusNow == JobStatus.Completed);
        var share = Math.Round((double)completed / settled.Count, 3);
        return new OutcomeForecast(settled.Count, Enough: true, share, Math.Round(1 - share, 3));
    }

    /// <summary>Whether memory forecasts a job in this state: one that failed and may still retry, or a dead letter.</summary>
    public static bool Qualifies(JobStatus status, string? error) =>
        status == JobStatus.DeadLettered
        || (status is JobStatus.Scheduled or JobStatus.Queued or JobStatus.Waiting && error is not null);
}
