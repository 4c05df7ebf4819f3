using AspireJobs.Api.Access;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AspireJobs.Api.OpenApi;

/// <summary>
/// Each operation says which scope of API key it needs, and that it may answer 401 (no valid
/// key), 403 (a key of too small a scope) and 429 (over the key's rate, with Retry-After).
/// </summary>
public sealed class AccessDescriptions : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var scope = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredScope>().LastOrDefault()?.Scope ?? ApiScope.Read;
        var needs = $"Needs an API key of scope '{scope.Name()}'{(scope == ApiScope.Admin ? "" : " or wider")}.";
        operation.Description = string.IsNullOrEmpty(operation.Description) ? needs : $"{operation.Description} {needs}";
        operation.Responses ??= [];
        operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid API key (problem details)." });
        operation.Responses.TryAdd("403", new OpenApiResponse { Description = $"The key's scope does not cover this route: it needs '{scope.Name()}' (problem details)." });
        operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Over the key's request rate, or too many expensive requests at once; see Retry-After (problem details)." });
        return Task.CompletedTask;
    }
}
