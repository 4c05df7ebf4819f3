using System.Globalization;
using AspireJobs.Api.Http;
using AspireJobs.Core.Health;
using AspireJobs.Core.Workers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AspireJobs.Api.Health;

/// <summary>What the health monitor found: anomalies, and each worker's score history and outlook.</summary>
public static class HealthApi
{
    private static readonly TimeSpan HistoryWindow = TimeSpan.FromHours(1);
    private const int HistoryLimit = 720;

    public static IEndpointRouteBuilder MapHealthAnalytics(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/api/health").WithTags("Health");
        health.MapGet("/anomalies", ListAnomalies).WithName("ListAnomalies")
            .WithSummary("List anomalies, newest first").WithDescription("Metrics of a worker that rose above its own baseline or the fleet's: by a robust z-score and by a floor of practical significance per metric, each with the evidence it was raised on.");
        health.MapGet("/workers/{id:guid}", GetWorkerHealth).WithName("GetWorkerHealth")
            .WithSummary("Get a worker's health history and failure prediction")
            .WithDescription("Its scores over time, failureProbability, timeToFailureSeconds and the recommended action.");
        return app;
    }

    private static async Task<Results<Ok<AnomalyPage>, ValidationProblem>> ListAnomalies(
        string? workerId, string? limit, string? cursor, HealthStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var pageLimit = PageQuery.DefaultLimit;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageLimit) && pageLimit is >= 1 and <= PageQuery.MaxLimit))
        {
            errors["limit"] = [$"The limit must be a whole number from 1 to {PageQuery.MaxLimit}."];
        }

        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                before = parsed;
            }
            else
            {
                errors["cursor"] = ["The cursor must be the nextCursor of a previous page."];
            }
        }

        Guid? worker = null;
        if (workerId is not null)
        {
            if (Guid.TryParse(workerId, out var parsed))
            {
                worker = parsed;
            }
            else
            {
                errors["workerId"] = ["The workerId must be a worker's id (a UUID)."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var anomalies = await store.HealthAnomalyListAsync(worker, before, pageLimit + 1, cancellationToken);
        var items = anomalies.Take(pageLimit).Select(AnomalyResponse.From).ToList();
        var next = anomalies.Count > pageLimit ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AnomalyPage(items, next));
    }

    private static async Task<Results<Ok<WorkerHealthResponse>, ProblemHttpResult>> GetWorkerHealth(
        Guid id, WorkerStore workers, HealthStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await workers.WorkerGetByIdAsync(id, cancellationToken) is not { } worker)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such worker.", detail: $"There is no worker {id}.");
        }

        var history = await store.WorkerHealthLogGetSinceAsync(id, clock.GetUtcNow() - HistoryWindow, HistoryLimit, cancellationToken);
        var latest = history.Count > 0 ? history[^1].Prediction : new Prediction(null, null, null, 0, RecommendedAction.None);
        return TypedResults.Ok(new WorkerHealthResponse(
            worker.Id,
            worker.Name,
            WorkerStatusText.Of(worker.Status),
            worker.HealthScore,
            latest.FailureProbability,
            latest.TimeToFailure?.TotalSeconds,
            RecommendedActionText.Of(latest.RecommendedAction),
            latest.SlopePerMinute,
            history.Select(h => new ScorePoint(h.At.UtcDateTime, h.HealthScore)).ToList(),
            latest.Reason));
    }
}

public sealed record AnomalyPage(IReadOnlyList<AnomalyResponse> Items, string? NextCursor);

/// <summary>
/// An anomaly and why it was raised: <c>value</c> against the baseline's <c>median</c> and robust
/// <c>spread</c> (<c>zScore</c> = (value − median) / spread), its <c>deviation</c> above the median
/// and the <c>floor</c> it had to pass, the other workers' <c>fleetMedian</c>, and <c>reason</c>
/// in words. <c>mean</c> and <c>stdDev</c> are the baseline's classic figures, for comparison.
/// <c>endedAt</c>: when a later report of the worker no longer showed it, or the worker was gone;
/// null while it lasts.
/// </summary>
public sealed record AnomalyResponse(
    long Id, Guid WorkerId, string WorkerName, string Metric, string Baseline, double Value, double Mean, double StdDev, double ZScore, DateTime DetectedAt,
    double Median, double Spread, double Deviation, double Floor, double? FleetMedian, string Reason, DateTime? EndedAt)
{
    public static AnomalyResponse From(Anomaly a) =>
        new(a.Id, a.WorkerId, a.WorkerName, a.Metric, a.Baseline, a.Evidence.Value, a.Evidence.Mean, a.Evidence.StdDev, a.Evidence.ZScore, a.DetectedAt.UtcDateTime,
            a.Evidence.Median, a.Evidence.Spread, a.Evidence.Deviation, a.Evidence.Floor, a.Evidence.FleetMedian, a.Evidence.Reason(a.Metric, a.Baseline),
            a.EndedAt?.UtcDateTime);
}

/// <summary>A worker's health: its score history (last hour) and the latest prediction of the health monitor.</summary>
public sealed record WorkerHealthResponse(
    Guid WorkerId,
    string Name,
    string Status,
    double? HealthScore,
    double FailureProbability,
    double? TimeToFailureSeconds,
    string RecommendedAction,
    double? ScoreSlopePerMinute,
    IReadOnlyList<ScorePoint> History,
    /// <summary>What the predicted failure is expected from, in words; null when none is.</summary>
    string? PredictionReason);

public sealed record ScorePoint(DateTime At, double HealthScore);
