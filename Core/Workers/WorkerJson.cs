using System.Text.Json;
using System.Text.Json.Serialization;

namespace AspireJobs.Core.Workers;

/// <summary>
/// The JSON of a worker's metrics report, as workers write it and the fleet's readers read it:
/// generated at build time, so a natively compiled worker serializes it without reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WorkerMetricsReport))]
internal sealed partial class WorkerJson : JsonSerializerContext;
