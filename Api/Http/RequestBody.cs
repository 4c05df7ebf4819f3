using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AspireJobs.Api.Http;

/// <summary>
/// Reads a request body as JSON, answering the ways it can be wrong with a problem: not JSON
/// (415), malformed (400), over the size limit (413), unreadable as sent (Kestrel's own status:
/// 400 for broken chunks, 408 for a body too slow to arrive). A body without a Content-Type is read as
/// JSON; one that declares another type is refused, and so is an object that names a property twice. The limit is checked against Content-Length
/// first, then by the server against the bytes as they arrive (a chunked body declares no length).
/// </summary>
public static class RequestBody
{
    // Deep enough for the deepest payload allowed (Api:MaxPayloadDepth, checked per field) inside
    // a batch; a name given twice in one object is refused rather than silently picking one.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 300, AllowDuplicateProperties = false };

    /// <summary>The body as JSON; with <paramref name="emptyIsObject"/>, no body at all reads as <c>{}</c> (every field left to its default).</summary>
    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadJsonAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken, bool emptyIsObject = false)
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
            // The server counts the bytes as they arrive (a chunked body declares no length) and
            // stops at the limit: the same limit a route's RequestSizeLimit sets, for every route.
            if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = maxBytes;
            }

            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            var body = WithoutByteOrderMark(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            if (emptyIsObject && body.IsEmpty)
            {
                return (JsonDocument.Parse("{}"), null);
            }

            if (FirstInvalidString(body.Span) is { } invalid)
            {
                return (null, NotJson(invalid));
            }

            return (JsonDocument.Parse(body, Options), null);
        }
        catch (JsonException e)
        {
            return (null, NotJson(e.Message));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes));
        }
        catch (BadHttpRequestException e)
        {
            // The server could not read the body as sent (its chunks broken, or too slow to
            // arrive): the client's fault, with the server's own status for it.
            return (null, TypedResults.Problem(statusCode: e.StatusCode, title: "The body could not be read.", detail: e.Message, extensions: BodyErrors(e.Message)));
        }
    }

    /// <summary>
    /// What is wrong with the first string (a value or a property name) that no text can hold:
    /// bytes that are not UTF-8, or an escaped lone surrogate (<c>"\udfff"</c>). Both pass the
    /// parser, which checks the syntax only, and fail whoever reads the string later.
    /// </summary>
    private static string? FirstInvalidString(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = Options.MaxDepth });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
            {
                continue;
            }

            if (!reader.ValueIsEscaped)
            {
                if (!Utf8.IsValid(reader.ValueSpan))
                {
                    return $"The string at byte {reader.TokenStartIndex} is not UTF-8.";
                }

                continue;
            }

            try
            {
                _ = reader.GetString();
            }
            catch (InvalidOperationException)
            {
                return $"The string at byte {reader.TokenStartIndex} is not UTF-8, or escapes an unpaired UTF-16 surrogate; no text can hold it.";
            }
        }

        return null;
    }

    /// <summary>
    /// UTF-8 with a byte order mark first, as some clients write it: JSON allows a parser to
    /// ignore the mark, and the reader underneath refuses it.
    /// </summary>
    private static ReadOnlyMemory<byte> WithoutByteOrderMark(ReadOnlyMemory<byte> body) =>
        body.Span.StartsWith("\uFEFF"u8) ? body[3..] : body;

    private static ProblemHttpResult NotJson(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON.", detail: detail, extensions: BodyErrors(detail));

    /// <summary>A body that cannot be read has one error, under <c>body</c>, as every 400 names what it refuses.</summary>
    private static Dictionary<string, object?> BodyErrors(string message) =>
        new() { ["errors"] = new Dictionary<string, string[]> { ["body"] = [message] } };

    private static ProblemHttpResult TooLarge(long maxBytes) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "The request is too large.",
            detail: $"This route accepts at most {maxBytes} bytes.");
}
