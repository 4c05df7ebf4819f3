using AspireJobs.Core.Memory;
using AspireJobs.ServiceDefaults;

namespace AspireJobs.Indexer;

/// <summary>
/// Ready once the embedding model is loaded: the indexer loads it as it starts, so a system whose
/// resources all report healthy does not pay for the load with its first jobs.
/// </summary>
public sealed class EmbeddingModelHealthCheck(IEmbedder embedder) : ReadinessCheck("The embedding model is loading.")
{
    public const string Name = "embedding-model";

    protected override bool IsReady => embedder.IsLoaded;
}
