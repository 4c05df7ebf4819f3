using System.Text.Json;
using AspireJobs.Api.Http;
using AspireJobs.Core.Recovery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AspireJobs.Api.Recovery;

/// <summary>
/// A restore's body as read: the request, the body itself (for what only one route takes, such as
/// <c>at</c>), or the problem to answer instead. An empty body is a dry run with the defaults.
/// </summary>
public sealed record RestoreBody(RestoreRequest? Request, JsonElement Root, ProblemHttpResult? Problem, ValidationProblem? Invalid)
{
    public static async Task<RestoreBody> ReadAsync(HttpRequest request, ApiOptions options, bool statusThenAllowed, CancellationToken cancellationToken)
    {
        var (document, problem) = await RequestBody.ReadJsonAsync(request, options.MaxSingleRequestBytes, cancellationToken, emptyIsObject: true);
        if (problem is not null)
        {
            return new RestoreBody(null, default, problem, null);
        }

        JsonElement root;
        using (var body = document!)
        {
            root = body.RootElement.Clone();
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return new RestoreBody(null, root, null, Problems.Invalid("body", "The body must be an object."));
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var restore = RestoreRequestReader.Read(root, statusThenAllowed, errors);
        return errors.Count > 0
            ? new RestoreBody(null, root, null, TypedResults.ValidationProblem(errors))
            : new RestoreBody(restore, root, null, null);
    }
}
