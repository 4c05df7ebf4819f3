using System.Globalization;
using System.Text.Json;
using AspireJobs.Api.Access;
using AspireJobs.Api.Http;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Memory;
using AspireJobs.ServiceDefaults;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AspireJobs.Api.Memory;

/// <summary>
/// Execution memory's routes: the past attempts most like a job's latest one, a search by free
/// text, and (in <c>GET /api/jobs/{id}</c>) a failing job's likely outcome. The model is loaded
/// in this process on the first search that needs it, never before; the vectors come from the
/// store the indexer fills (PostgreSQL, or Qdrant when ConnectionStrings:qdrant is set).
/// </summary>
public static class ExecutionMemoryApi
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;

    /// <summary>The largest search body read: the longest text allowed, escaped, and the other fields.</summary>
    private const long MaxBodyBytes = 64 * 1024;

    public static IHostApplicationBuilder AddExecutionMemory(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<MemoryOptions>(MemoryOptions.Section);
        builder.AddExecutionMemoryCore(useQdrant: builder.TryAddJobsQdrantClient());
        builder.Services.AddSingleton<IEmbedder, MiniLmEmbedder>(); // loads its model on first use only
        builder.Services.AddSingleton<SimilarExecutions>();
        builder.Services.AddSingleton<LikelyOutcomes>();
        return builder;
    }

    public static IEndpointRouteBuilder MapExecutionMemory(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/jobs/{id:guid}/similar", Similar).WithTags("Execution memory").WithName("GetSimilarExecutions")
            .WithSummary("Find the past attempts most like a job's latest one")
            .WithDescription("Nearest first, other jobs only, each with its score (cosine similarity), outcome, error and what became of its job. "
                + "limit is 1 to 100 (default 10). An empty list while the job has not finished an attempt.")
            .LimitAsExpensive();
        app.MapPost("/api/executions/search", Search).WithTags("Execution memory").WithName("SearchExecutions")
            .Accepts<ExecutionSearchBody>("application/json")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .WithSummary("Find past attempts by meaning")
            .WithDescription("The text (an error message, say) is normalised as stored attempts are and compared by meaning; type and outcome filter. 400 lists every invalid field.")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .LimitAsExpensive();
        return app;
    }

    private static async Task<Results<Ok<SimilarExecutionsResponse>, ValidationProblem, ProblemHttpResult>> Similar(
        Guid id, string? limit, ExecutionMemoryStore store, SimilarExecutions similar, CancellationToken cancellationToken)
    {
        if (ReadLimit(limit) is not { } count)
        {
            return Problems.Invalid("limit", $"The limit must be an integer from 1 to {MaxLimit}.");
        }

        if (await store.ExecutionGetLatestFinishedAsync(id, cancellationToken) is not { } latest)
        {
            return Problems.JobNotFound(id);
        }

        try
        {
            if (await similar.VectorOfAsync(latest, id, embedWhenMissing: true, cancellationToken) is not { } vector)
            {
                return TypedResults.Ok(new SimilarExecutionsResponse([]));
            }

            return TypedResults.Ok(new SimilarExecutionsResponse(await similar.FindAsync(vector, null, null, id, count, cancellationToken)));
        }
        catch (RpcException)
        {
            return MemoryUnavailable();
        }
    }

    private static async Task<Results<Ok<SimilarExecutionsResponse>, ValidationProblem, ProblemHttpResult>> Search(
        HttpRequest request, SimilarExecutions similar, IOptions<MemoryOptions> options, CancellationToken cancellationToken)
    {
        var (document, problem) = await RequestBody.ReadJsonAsync(request, MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using var body = document!;
        var query = ReadSearch(body.RootElement, options.Value.MaxSearchTextLength, out var errors);
        if (query is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var vector = await similar.EmbedQueryAsync(query.Text, cancellationToken);
            return TypedResults.Ok(new SimilarExecutionsResponse(
                await similar.FindAsync(vector, query.Type, query.Outcome, null, query.Limit, cancellationToken)));
        }
        catch (RpcException)
        {
            return MemoryUnavailable();
        }
    }

    /// <summary>A search as asked, or null with every field's error.</summary>
    internal sealed record SearchQuery(string Text, string? Type, ExecutionOutcome? Outcome, int Limit);

    internal static SearchQuery? ReadSearch(JsonElement body, int maxTextLength, out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["The body must be an object: { \"text\": \"...\", \"type\"?, \"outcome\"?, \"limit\"? }."];
            return null;
        }

        string? text = null;
        if (!body.TryGetProperty("text", out var textValue) || textValue.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(textValue.GetString()))
        {
            errors["text"] = ["The text is required: a string that is not blank."];
        }
        else if (textValue.GetString()!.Length > maxTextLength)
        {
            errors["text"] = [$"The text may be at most {maxTextLength} characters."];
        }
        else
        {
            text = textValue.GetString();
        }

        string? type = null;
        if (body.TryGetProperty("type", out var typeValue) && typeValue.ValueKind != JsonValueKind.Null)
        {
            if (typeValue.ValueKind == JsonValueKind.String && JobLimits.IsValidType(typeValue.GetString()!))
            {
                type = typeValue.GetString();
            }
            else
            {
                errors["type"] = ["The type must be 1 to 200 characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'."];
            }
        }

        ExecutionOutcome? outcome = null;
        if (body.TryGetProperty("outcome", out var outcomeValue) && outcomeValue.ValueKind != JsonValueKind.Null)
        {
            if (outcomeValue.ValueKind == JsonValueKind.String && ExecutionOutcomeText.TryParse(outcomeValue.GetString(), out var parsed))
            {
                outcome = parsed;
            }
            else
            {
                errors["outcome"] = [$"The outcome must be one of: {string.Join(", ", ExecutionOutcomeText.All)}."];
            }
        }

        var limit = DefaultLimit;
        if (body.TryGetProperty("limit", out var limitValue) && limitValue.ValueKind != JsonValueKind.Null)
        {
            if (limitValue.ValueKind != JsonValueKind.Number || !limitValue.TryGetInt32(out limit) || limit is < 1 or > MaxLimit)
            {
                errors["limit"] = [$"The limit must be an integer from 1 to {MaxLimit}."];
            }
        }

        return errors.Count == 0 ? new SearchQuery(text!, type, outcome, limit) : null;
    }

    /// <summary>The limit of a query string: absent is the default; null when it is not an integer from 1 to <see cref="MaxLimit"/>.</summary>
    internal static int? ReadLimit(string? limit) =>
        limit is null ? DefaultLimit
        : int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= MaxLimit ? value
        : null;

    private static ProblemHttpResult MemoryUnavailable() =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Execution memory is unavailable for a moment.",
            detail: "The vector store does not answer. Try again shortly.");
}
