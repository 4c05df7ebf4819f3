using System.Text.Json;
using AspireJobs.Api.Access;
using AspireJobs.Api.Http;
using AspireJobs.Api.Jobs;
using AspireJobs.Api.OpenApi;
using AspireJobs.Api.Recovery;
using AspireJobs.Core.Recovery;
using AspireJobs.Core.Snapshots;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AspireJobs.Api.Snapshots;

/// <summary>
/// Snapshots of the jobs that have not finished, and restores from them: a dry run answers the
/// diff; <c>apply: true</c> writes it, after a snapshot that undoes it.
/// </summary>
public static class SnapshotsApi
{
    public static IEndpointRouteBuilder MapSnapshots(this IEndpointRouteBuilder app)
    {
        var snapshots = app.MapGroup("/api/snapshots").WithTags("Snapshots");
        snapshots.MapPost("/", TakeSnapshot).WithName("TakeSnapshot").Accepts<SnapshotRequestBody>("application/json")
            .WithSummary("Take a snapshot")
            .WithDescription("kind: full (every job not finished, its dependencies, the fleet) or incremental (what changed since the newest snapshot; 409 when there is none). "
                + "201 with the snapshot and its Location.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(ApiScope.Admin)
            .LimitAsExpensive();
        snapshots.MapGet("/", ListSnapshots).WithName("ListSnapshots")
            .WithSummary("List snapshots, newest first").WithDescription("Pages follow nextCursor.");
        snapshots.MapGet("/{id:guid}", GetSnapshot).WithName("GetSnapshot").WithSummary("Get a snapshot");
        snapshots.MapPost("/{id:guid}/restore", Restore).WithName("RestoreSnapshot").Accepts<RestoreRequestBody>("application/json")
            .WithSummary("Restore jobs to a snapshot (a dry run unless apply is true)")
            .WithDescription("Jobs go back to the state, priority and retries the snapshot holds. mode decides for jobs that ran since: "
                + "newest-wins (default) keeps jobs that completed since, skip keeps every job that ran since, overwrite puts back all. "
                + "Running jobs are never taken from their worker; jobs created since are left alone. "
                + "The answer is the diff: counts per transition and examples; applied, also how many were restored and the snapshot that undoes it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(ApiScope.Admin)
            .LimitAsExpensive();
        return app;
    }

    private static async Task<Results<Created<SnapshotResponse>, ValidationProblem, ProblemHttpResult>> TakeSnapshot(
        HttpRequest request, SnapshotStore store, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var (document, problem) = await RequestBody.ReadJsonAsync(request, options.Value.MaxSingleRequestBytes, cancellationToken, emptyIsObject: true);
        if (problem is not null)
        {
            return problem;
        }

        using var body = document!;
        var root = body.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Problems.Invalid("body", "The body must be an object: { kind, label }.");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var kind = SnapshotKind.Full;
        if (root.TryGetProperty("kind", out var kindValue) && kindValue.ValueKind != JsonValueKind.Null
            && (kindValue.ValueKind != JsonValueKind.String || !SnapshotText.TryParse(kindValue.GetString(), out kind)))
        {
            errors["kind"] = ["The kind must be full or incremental."];
        }

        string? label = null;
        if (root.TryGetProperty("label", out var labelValue) && labelValue.ValueKind != JsonValueKind.Null)
        {
            label = labelValue.ValueKind == JsonValueKind.String ? labelValue.GetString() : null;
            if (label is null || !SnapshotLabel.IsValid(label))
            {
                errors["label"] = [SnapshotLabel.Rule];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var snapshot = await store.TakeAsync(kind, SnapshotReason.Manual, label, cancellationToken);
            return TypedResults.Created($"/api/snapshots/{snapshot.Id}", SnapshotResponse.From(snapshot));
        }
        catch (NoBaseSnapshotException e)
        {
            return Problems.Conflict("There is no snapshot to build on.", e.Message);
        }
    }

    private static async Task<Results<Ok<Page<SnapshotResponse>>, ValidationProblem>> ListSnapshots(
        string? limit, string? cursor, SnapshotStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var page = PageQuery.Read(limit, cursor, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var found = await store.ListAsync(page.Cursor, page.Limit + 1, cancellationToken);
        var items = found.Take(page.Limit).Select(SnapshotResponse.From).ToList();
        return TypedResults.Ok(new Page<SnapshotResponse>(items, found.Count > page.Limit ? items[^1].Id : null));
    }

    private static async Task<Results<Ok<SnapshotResponse>, ProblemHttpResult>> GetSnapshot(Guid id, SnapshotStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } snapshot ? TypedResults.Ok(SnapshotResponse.From(snapshot)) : NotFound(id);

    private static async Task<Results<Ok<RestoreReportResponse>, ValidationProblem, ProblemHttpResult>> Restore(
        Guid id, HttpRequest request, SnapshotStore store, SnapshotRestore restore, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var body = await RestoreBody.ReadAsync(request, options.Value, statusThenAllowed: false, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        if (body.Invalid is { } invalid)
        {
            return invalid;
        }

        if (await store.GetAsync(id, cancellationToken) is null)
        {
            return NotFound(id);
        }

        return TypedResults.Ok(RestoreReportResponse.From(await restore.RestoreAsync(id, body.Request!, cancellationToken)));
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such snapshot.", detail: $"There is no snapshot {id}.");
}
