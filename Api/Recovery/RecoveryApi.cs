using System.Text.Json;
using AspireJobs.Api.Access;
using AspireJobs.Api.Http;
using AspireJobs.Api.OpenApi;
using AspireJobs.Core.Recovery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AspireJobs.Api.Recovery;

/// <summary>
/// Point-in-time recovery: jobs back as they were at a moment, rebuilt from the transition log,
/// with the same dry-run diff, modes and guards as a snapshot restore.
/// </summary>
public static class RecoveryApi
{
    public static IEndpointRouteBuilder MapRecovery(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/recovery").WithTags("Snapshots")
            .MapPost("/point-in-time", RecoverToPointInTime).WithName("RecoverToPointInTime").Accepts<PointInTimeRequestBody>("application/json")
            .WithSummary("Put jobs back as they were at a time (a dry run unless apply is true)")
            .WithDescription("at is an ISO-8601 time in the past; filter { type, statusNow, statusThen } narrows the jobs. "
                + "Jobs that were waiting, scheduled, queued or running then go back to that state (running ones are queued again); "
                + "mode decides for jobs that ran since, as for a snapshot restore. 409 when at is older than the transition log keeps.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(ApiScope.Admin)
            .LimitAsExpensive();
        return app;
    }

    private static async Task<Results<Ok<RestoreReportResponse>, ValidationProblem, ProblemHttpResult>> RecoverToPointInTime(
        HttpRequest request, PointInTimeRecovery recovery, TimeProvider clock, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var body = await RestoreBody.ReadAsync(request, options.Value, statusThenAllowed: true, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        if (body.Invalid is { } invalid)
        {
            return invalid;
        }

        if (!body.Root.TryGetProperty("at", out var atValue) || !RequestTime.TryRead(atValue, out var at))
        {
            return Problems.Invalid("at", "at is required: an ISO-8601 time, such as 2026-12-02T14:05:00Z (read as UTC when it has no offset).");
        }

        if (at > clock.GetUtcNow())
        {
            return Problems.Invalid("at", "at is in the future; point-in-time recovery goes back, not forward.");
        }

        try
        {
            return TypedResults.Ok(RestoreReportResponse.From(await recovery.RecoverAsync(at, body.Request!, cancellationToken)));
        }
        catch (EventsNotKeptException e)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "That time is older than the transition log keeps.",
                detail: e.Message,
                extensions: new Dictionary<string, object?> { ["keptSince"] = e.KeptSince.UtcDateTime });
        }
    }
}
