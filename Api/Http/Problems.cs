using Microsoft.AspNetCore.Http.HttpResults;

namespace AspireJobs.Api.Http;

/// <summary>The problem answers the routes share (RFC 7807).</summary>
public static class Problems
{
    public static ProblemHttpResult JobNotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such job.", detail: $"There is no job {id}.");

    public static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    public static ProblemHttpResult TooLarge(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "The payload is too large.",
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    /// <summary>A dependsOn named jobs that do not exist: 400, naming them (also in <c>unknownIds</c>).</summary>
    public static ValidationProblem UnknownJobs(string field, IReadOnlyList<Guid> ids) =>
        TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [field] = [$"These jobs do not exist: {string.Join(", ", ids)}. Nothing was created."] },
            title: "A job named in dependsOn does not exist.",
            extensions: new Dictionary<string, object?> { ["unknownIds"] = ids });

    /// <summary>The edges of a batch close a cycle: 409, naming it (also in <c>cycle</c>).</summary>
    public static ProblemHttpResult Cycle(IReadOnlyList<string> cycle) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "The dependencies form a cycle.",
            detail: $"{string.Join(" → ", cycle.Append(cycle[0]))}: each depends on the next, so none could ever run. Nothing was created.",
            extensions: new Dictionary<string, object?> { ["cycle"] = cycle });

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
