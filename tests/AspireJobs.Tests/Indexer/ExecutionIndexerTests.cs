using System.Diagnostics.Metrics;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Memory;
using AspireJobs.Indexer;
using AspireJobs.Tests.Infrastructure;
using AspireJobs.Tests.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AspireJobs.Tests.Indexer;

/// <summary>The indexer in this process, against a real database: its cursor, and storing that fails for good.</summary>
public sealed class ExecutionIndexerTests(TestServers servers) : IAsyncLifetime
{
    private TestDatabase _db = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _db = await servers.CreateDatabaseAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    /// <summary>A model that loads, then throws at every batch, as ONNX Runtime does on a bad input or a broken install.</summary>
    private sealed class BrokenModel : IEmbedder
    {
        public int Dimensions => MiniLmEmbedder.Dimension;

        public bool IsLoaded => true;

        public Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the model failed");
    }

    [Fact]
    public void EachVectorStore_HasACursorOfItsOwn_AndPostgreSQLsKeepsTheNameItAlwaysHad()
    {
        using var postgres = new PostgresVectorStore(_db.DataSource, TimeProvider.System);
        using var client = new Qdrant.Client.QdrantClient("127.0.0.1"); // never called
        using var qdrant = new QdrantVectorStore(client, QdrantVectorStore.DefaultCollection, MiniLmEmbedder.Dimension);

        // Moving to Qdrant fills it from the start of the log, not from where PostgreSQL's
        // indexing stopped; a system that stays on PostgreSQL resumes its old cursor.
        Assert.Equal("indexer", postgres.CursorName);
        Assert.Equal("indexer:qdrant:executions", qdrant.CursorName);
    }

    [Fact]
    public async Task AModelThatFailsForGood_StopsTheIndexer_InsteadOfLeavingItReadingWithNothingStored()
    {
        await new JobStore(_db.DataSource, TimeProvider.System).CompletedJobsAsync(3, "echo", Token);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var vectors = new PostgresVectorStore(_db.DataSource, TimeProvider.System);
        using var indexer = new ExecutionIndexer(
            new ExecutionMemoryStore(_db.DataSource), vectors, new BrokenModel(), new RememberPolicy(successSampleRate: 1),
            new IndexerMetrics(services.GetRequiredService<IMeterFactory>()), TimeProvider.System,
            Options.Create(new IndexerOptions { PollInterval = TimeSpan.FromMilliseconds(10) }), NullLogger<ExecutionIndexer>.Instance);

        await indexer.StartAsync(Token);
        var ended = await Task.WhenAny(indexer.ExecuteTask!, Task.Delay(TimeSpan.FromSeconds(30), Token));
        await indexer.StopAsync(CancellationToken.None);

        Assert.Same(indexer.ExecuteTask, ended);
        Assert.Equal("the model failed", (await Assert.ThrowsAsync<InvalidOperationException>(() => indexer.ExecuteTask!)).Message);
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM execution_vectors"));
    }

    [Fact]
    public async Task AStoreThatRefusesForGood_StopsTheIndexer_RatherThanRetryingForEver()
    {
        await new JobStore(_db.DataSource, TimeProvider.System).CompletedJobsAsync(3, "echo", Token);
        await _db.ExecuteAsync("DROP TABLE execution_vectors"); // as a schema the indexer does not match would
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var vectors = new PostgresVectorStore(_db.DataSource, TimeProvider.System);
        using var indexer = new ExecutionIndexer(
            new ExecutionMemoryStore(_db.DataSource), vectors, TestEmbedder.Shared, new RememberPolicy(successSampleRate: 1),
            new IndexerMetrics(services.GetRequiredService<IMeterFactory>()), TimeProvider.System,
            Options.Create(new IndexerOptions { PollInterval = TimeSpan.FromMilliseconds(10), RetryDelay = TimeSpan.FromMilliseconds(10) }),
            NullLogger<ExecutionIndexer>.Instance);

        await indexer.StartAsync(Token);
        var ended = await Task.WhenAny(indexer.ExecuteTask!, Task.Delay(TimeSpan.FromSeconds(30), Token));
        await indexer.StopAsync(CancellationToken.None);

        Assert.Same(indexer.ExecuteTask, ended);
        Assert.Equal(PostgresErrorCodes.UndefinedTable, (await Assert.ThrowsAsync<PostgresException>(() => indexer.ExecuteTask!)).SqlState);
    }
}
