using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AspireJobs.Api.OpenApi;

/// <summary>Example request bodies, by the name of the route that takes them.</summary>
public sealed class OpenApiExamples : IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, JsonNode> Examples = new(StringComparer.Ordinal)
    {
        ["CreateJob"] = new JsonObject
        {
            ["type"] = "images.resize",
            ["payload"] = new JsonObject { ["url"] = "https://example.com/cat.png", ["width"] = 320 },
            ["priority"] = 4,
            ["maxRetries"] = 3,
            ["timeoutMs"] = 60_000,
            ["idempotencyKey"] = "resize-cat-320",
        },
        ["CreateJobs"] = new JsonObject
        {
            ["jobs"] = new JsonArray(
                new JsonObject { ["ref"] = "fetch", ["type"] = "report.fetch", ["priority"] = 2 },
                new JsonObject { ["ref"] = "render", ["type"] = "report.render", ["dependsOn"] = new JsonArray("fetch") },
                new JsonObject { ["type"] = "report.mail", ["dependsOn"] = new JsonArray("render"), ["onDependencyFailure"] = "run" }),
        },
        ["ChangePriority"] = new JsonObject { ["priority"] = 5 },
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId is { } name && Examples.TryGetValue(name, out var example)
            && operation.RequestBody?.Content?.TryGetValue("application/json", out var json) == true && json is OpenApiMediaType media)
        {
            media.Example = example.DeepClone();
        }

        return Task.CompletedTask;
    }
}
