using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Qdrant.Client;

namespace AspireJobs.Core.Memory;

/// <summary>
/// Registers what every process of execution memory shares: its PostgreSQL store, and the vector
/// store, Qdrant when a Qdrant client is configured (ConnectionStrings:qdrant), PostgreSQL otherwise.
/// The embedder is registered by the processes that embed (never a worker).
/// </summary>
public static class ExecutionMemoryCore
{
    public static IHostApplicationBuilder AddExecutionMemoryCore(this IHostApplicationBuilder builder, bool useQdrant)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ExecutionMemoryStore>();
        if (useQdrant)
        {
            services.TryAddSingleton<IVectorStore>(provider =>
                new QdrantVectorStore(provider.GetRequiredService<QdrantClient>(), QdrantVectorStore.DefaultCollection, MiniLmEmbedder.Dimension));
        }
        else
        {
            services.TryAddSingleton<IVectorStore, PostgresVectorStore>();
        }

        return builder;
    }
}
