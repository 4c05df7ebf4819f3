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

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
