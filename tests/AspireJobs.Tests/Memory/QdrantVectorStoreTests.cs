using AspireJobs.Core.Memory;
using AspireJobs.ServiceDefaults;
using Qdrant.Client;

namespace AspireJobs.Tests.Memory;

/// <summary>
/// The vector store contract on Qdrant, in a collection of its own per test, when
/// ASPIREJOBS_TEST_QDRANT holds a connection string (<c>Endpoint=http://host:6334;Key=...</c>);
/// skipped, saying so, where no Qdrant runs.
/// </summary>
public sealed class QdrantVectorStoreTests : VectorStoreContractTests
{
    public const string EndpointVariable = "ASPIREJOBS_TEST_QDRANT";

    private readonly string _collection = "test_" + Guid.NewGuid().ToString("N");
    private QdrantClient? _client;

    protected override Task<IVectorStore> CreateStoreAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable(EndpointVariable);
        Assert.SkipWhen(string.IsNullOrWhiteSpace(connectionString), $"no Qdrant endpoint configured (set {EndpointVariable})");
        var (endpoint, key) = QdrantClients.Parse(connectionString!, EndpointVariable);
        _client = new QdrantClient(endpoint, key);
        return Task.FromResult<IVectorStore>(new QdrantVectorStore(_client, _collection, Dimensions));
    }

    [Fact]
    public async Task ACollectionDeletedUnderTheStore_IsMadeAgain_AndTheNextVectorsAreStoredAndFound()
    {
        var store = await CreateStoreAsync();
        var random = new Random(7);
        var before = new ExecutionVector(Guid.CreateVersion7(), 1, "t", ExecutionOutcome.Failed, UnitVector(random));
        await store.UpsertAsync([before], Token);
        await _client!.DeleteCollectionAsync(_collection, cancellationToken: Token);

        var after = new ExecutionVector(Guid.CreateVersion7(), 1, "t", ExecutionOutcome.Failed, UnitVector(random));
        await store.UpsertAsync([after], Token);

        Assert.NotNull(await store.GetAsync(after.JobId, 1, Token));
        Assert.Null(await store.GetAsync(before.JobId, 1, Token));
        Assert.Equal(after.JobId, Assert.Single(await store.SearchAsync(after.Vector, null, null, null, 5, Token)).JobId);
        (store as IDisposable)?.Dispose();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_client is not null)
        {
            if (await _client.CollectionExistsAsync(_collection))
            {
                await _client.DeleteCollectionAsync(_collection);
            }

            _client.Dispose();
        }
    }
}
