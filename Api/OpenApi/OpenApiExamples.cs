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
        ["TakeSnapshot"] = new JsonObject { ["kind"] = "full", ["label"] = "before the 14:00 deploy" },
        // A dry run first: which of the email jobs cancelled by mistake would come back.
        ["RestoreSnapshot"] = new JsonObject
        {
            ["mode"] = "newest-wins",
            ["apply"] = false,
            ["filter"] = new JsonObject { ["type"] = "email.send", ["statusNow"] = new JsonArray("cancelled") },
        },
        ["RecoverToPointInTime"] = new JsonObject
        {
            ["at"] = "2026-12-02T14:05:00Z",
            ["mode"] = "newest-wins",
            ["apply"] = false,
            ["filter"] = new JsonObject
            {
                ["type"] = "email.send",
                ["statusNow"] = new JsonArray("cancelled"),
                ["statusThen"] = new JsonArray("scheduled", "queued"),
            },
        },
        ["SearchExecutions"] = new JsonObject
        {
            ["text"] = "TimeoutException calling the payment gateway",
            ["type"] = "payment.capture",
            ["outcome"] = "failed",
            ["limit"] = 10,
        },
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
