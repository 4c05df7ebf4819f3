using System.Text.Json.Serialization;

namespace AspireJobs.Core.Storage;

/// <summary>
/// The JSON of the jsonb columns written and read outside the job path (a snapshot's counts by
/// status, a health sample's run durations by type): generated at build time, so a natively
/// compiled service (the health monitor) reads and writes them without reflection. The default
/// options, as these columns were always written.
/// </summary>
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(Dictionary<string, double>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, double>))]
internal sealed partial class ColumnJson : JsonSerializerContext;
