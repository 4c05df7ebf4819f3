using AspireJobs.Core.Memory;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AspireJobs.Indexer;

/// <summary>
/// Ready once the embedding model is loaded: the indexer loads it as it starts, so a system whose
/// resources all report healthy does not pay for the load with its first jobs.
/// </summary>
public sealed class EmbeddingModelHealthCheck(IEmbedder embedder) : IHealthCheck
{
    public const string Name = "embedding-model";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(embedder.IsLoaded
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The embedding model is loading."));
}
