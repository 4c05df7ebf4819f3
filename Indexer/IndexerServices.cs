using AspireJobs.Core.Memory;
using AspireJobs.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace AspireJobs.Indexer;

/// <summary>
/// The indexer: one loop that reads finished attempts from the log and one that embeds and
/// stores them, joined by a bounded channel. Vectors go to Qdrant when ConnectionStrings:qdrant
/// is set, to PostgreSQL otherwise.
/// </summary>
public static class IndexerServices
{
    public static IHostApplicationBuilder AddIndexer(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<IndexerOptions>(IndexerOptions.Section);
        builder.AddExecutionMemoryCore(useQdrant: builder.TryAddJobsQdrantClient());
        builder.Services.AddSingleton<IEmbedder>(_ => new MiniLmEmbedder(background: true)); // below the workers' priority
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<IndexerOptions>>().Value;
            return new RememberPolicy(options.SuccessSampleRate, options.SuccessSampleRates);
        });
        builder.Services.AddSingleton<IndexerMetrics>();
        builder.Services.AddHostedService<ExecutionIndexer>();
        builder.Services.AddHealthChecks().AddCheck<EmbeddingModelHealthCheck>(EmbeddingModelHealthCheck.Name);
        return builder;
    }
}
