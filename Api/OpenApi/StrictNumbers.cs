using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AspireJobs.Api.OpenApi;

/// <summary>
/// Numbers are JSON numbers. The generator describes every integer as "integer or numeric
/// string", after the web serializer defaults; the Api reads bodies itself and takes numbers
/// only, and never writes one as a string.
/// </summary>
public sealed class StrictNumbers : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String) && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        return Task.CompletedTask;
    }
}
