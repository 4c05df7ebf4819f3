using System.Text.Json;
using System.Text.Json.Serialization;
using static AspireJobs.Worker.Handlers.BuiltInJobHandlers;

namespace AspireJobs.Worker.Handlers;

/// <summary>The payloads and results of the built-in job types, generated at build time.</summary>
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(SleepHandler.Payload), TypeInfoPropertyName = "SleepPayload")]
[JsonSerializable(typeof(SpinHandler.Payload), TypeInfoPropertyName = "SpinPayload")]
[JsonSerializable(typeof(FailHandler.Payload), TypeInfoPropertyName = "FailPayload")]
[JsonSerializable(typeof(FailHandler.Succeeded))]
[JsonSerializable(typeof(IReadOnlyList<CollectHandler.Parent>))]
[JsonSerializable(typeof(RecordHandler.Result))]
internal sealed partial class BuiltInJobJson : JsonSerializerContext;
