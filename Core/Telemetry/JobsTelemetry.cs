using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AspireJobs.Core.Telemetry;

/// <summary>
/// The project's own ActivitySource and Meter. ServiceDefaults subscribes to every source and
/// meter whose name starts with <c>AspireJobs</c>.
/// </summary>
public static class JobsTelemetry
{
    public const string Name = "AspireJobs.Jobs";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);
}
