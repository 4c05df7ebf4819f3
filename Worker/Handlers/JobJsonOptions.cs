using System.Text.Json;

namespace AspireJobs.Worker.Handlers;

/// <summary>
/// How payloads and results are read and written: the contract's JSON style (camelCase,
/// case-insensitive on read). The worker is compiled natively and has no reflection-based JSON, so
/// the types a handler takes and returns come from JSON contexts generated at build time: the
/// built-in handlers' (<see cref="BuiltInJobJson"/>), and each application's own, added with
/// <c>services.Configure&lt;JobJsonOptions&gt;(o =&gt; o.SerializerOptions.TypeInfoResolverChain.Add(MyJobsJson.Default))</c>.
/// Handlers registered by reflection (<c>AddJobHandler&lt;THandler&gt;</c>, on the JIT) add
/// reflection-based JSON after those.
/// </summary>
public sealed class JobJsonOptions
{
    public JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web) { TypeInfoResolverChain = { BuiltInJobJson.Default } };
}
