using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AspireJobs.Api.Http;

/// <summary>
/// Reads a request body as JSON, answering the ways it can be wrong with a problem: not JSON
/// (415), malformed (400), over the size limit (413). A body without a Content-Type is read as
/// JSON; one that declares another type is refused. The limit is checked against Content-Length
/// here, and against the bytes actually sent by the server (the route's RequestSizeLimit).
/// </summary>
public static class RequestBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadJsonAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        if (request.ContentType is not null && !request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "The body must be JSON.",
                detail: "Send the request with Content-Type: application/json."));
        }

        try
        {
            return (await JsonDocument.ParseAsync(request.Body, Options, cancellationToken), null);
        }
        catch (JsonException e)
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "The body is not valid JSON.",
                detail: e.Message));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes));
        }
    }

    private static ProblemHttpResult TooLarge(long maxBytes) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "The request is too large.",
            detail: $"This route accepts at most {maxBytes} bytes.");
}
