using System.Numerics.Tensors;
using AspireJobs.Core.Memory;

namespace AspireJobs.Tests.Memory;

/// <summary>
/// What every <see cref="IVectorStore"/> must do, run against each implementation: the
/// PostgreSQL store for real, and Qdrant when an endpoint is configured.
/// </summary>
public abstract class VectorStoreContractTests : IAsyncLifetime
{
    protected const int Dimensions = 384;

    private IVectorStore? _store;

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A new, empty store of this implementation (skips the test when it cannot run here).</summary>
    protected abstract Task<IVectorStore> CreateStoreAsync();

    /// <summary>Whatever the store needs to exist before an attempt's vector is stored (the PostgreSQL store: the job and its execution).</summary>
    protected virtual Task PrepareAttemptsAsync(IReadOnlyList<ExecutionVector> vectors) => Task.CompletedTask;

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private async Task<IVectorStore> StoreAsync() => _store ??= await CreateStoreAsync();

    private async Task<IVectorStore> StoreWithAsync(IReadOnlyList<ExecutionVector> vectors)
    {
        var store = await StoreAsync();
        await PrepareAttemptsAsync(vectors);
        await store.UpsertAsync(vectors, Token);
        return store;
    }

    protected static float[] UnitVector(Random random)
    {
        var vector = new float[Dimensions];
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
        }

        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        return vector;
    }

    /// <summary>A vector at a chosen closeness to <paramref name="to"/>: mixed with noise, renormalised.</summary>
    private static float[] Near(float[] to, float weight, Random random)
    {
        var noise = UnitVector(random);
        var mixed = new float[Dimensions];
        for (var i = 0; i < mixed.Length; i++)
        {
            mixed[i] = weight * to[i] + (1 - weight) * noise[i];
        }

        TensorPrimitives.Divide(mixed, TensorPrimitives.Norm(mixed), mixed);
        return mixed;
    }

    private static List<ExecutionVector> Attempts(Random random, int count, string type = "t", ExecutionOutcome outcome = ExecutionOutcome.Failed) =>
        Enumerable.Range(0, count).Select(_ => new ExecutionVector(Guid.CreateVersion7(), 1, type, outcome, UnitVector(random))).ToList();

    [Fact]
    public async Task Search_FindsTheNearest_BestFirst_ScoredByCosine()
    {
        var random = new Random(1);
        var query = UnitVector(random);
        var stored = Attempts(random, 40);
        stored.AddRange(new[] { 0.9f, 0.7f, 0.5f }.Select(weight => new ExecutionVector(Guid.CreateVersion7(), 2, "t", ExecutionOutcome.Failed, Near(query, weight, random))));
        var store = await StoreWithAsync(stored);

        var found = await store.SearchAsync(query, null, null, null, 5, Token);

        var expected = stored.Select(v => (v.JobId, v.Attempt, Score: TensorPrimitives.Dot(query, v.Vector)))
            .OrderByDescending(e => e.Score).Take(5).ToList();
        Assert.Equal(expected.Select(e => (e.JobId, e.Attempt)), found.Select(m => (m.JobId, m.Attempt)));
        Assert.All(found.Zip(expected), pair => Assert.Equal(pair.Second.Score, pair.First.Score, 0.001f));
        Assert.Equal(ExecutionOutcome.Failed, found[0].Outcome);
    }

    [Fact]
    public async Task Search_FiltersByTypeAndOutcome_AndLeavesOutTheExcludedJob()
    {
        var random = new Random(2);
        var query = UnitVector(random);
        var self = new ExecutionVector(Guid.CreateVersion7(), 3, "email", ExecutionOutcome.DeadLettered, query);
        var stored = new List<ExecutionVector> { self };
        stored.AddRange(Attempts(random, 5, "email", ExecutionOutcome.DeadLettered));
        stored.AddRange(Attempts(random, 5, "email", ExecutionOutcome.Completed));
        stored.AddRange(Attempts(random, 5, "report", ExecutionOutcome.DeadLettered));
        var store = await StoreWithAsync(stored);

        var emailDeadLetters = await store.SearchAsync(query, "email", ExecutionOutcome.DeadLettered, self.JobId, 100, Token);
        var reports = await store.SearchAsync(query, "report", null, null, 100, Token);
        var everything = await store.SearchAsync(query, null, null, null, 100, Token);

        Assert.Equal(5, emailDeadLetters.Count);
        Assert.DoesNotContain(emailDeadLetters, m => m.JobId == self.JobId);
        Assert.All(emailDeadLetters, m => Assert.Contains(stored, v => v.JobId == m.JobId && v.JobType == "email" && v.Outcome == ExecutionOutcome.DeadLettered));
        Assert.Equal(5, reports.Count);
        Assert.Equal(16, everything.Count);
        Assert.Equal((self.JobId, 3), (everything[0].JobId, everything[0].Attempt));
        Assert.Empty(await store.SearchAsync(query, "nothing-of-this-type", null, null, 10, Token));
    }

    [Fact]
    public async Task Upsert_OfAnAttemptStoredBefore_KeepsOneEntry_AndGetReturnsItsVector()
    {
        var random = new Random(3);
        var vector = new ExecutionVector(Guid.CreateVersion7(), 1, "t", ExecutionOutcome.TimedOut, UnitVector(random));
        var store = await StoreWithAsync([vector]);
        await store.UpsertAsync([vector], Token);

        var found = await store.SearchAsync(vector.Vector, null, null, null, 10, Token);
        var got = await store.GetAsync(vector.JobId, 1, Token);

        Assert.Single(found);
        Assert.Equal(ExecutionOutcome.TimedOut, found[0].Outcome);
        Assert.Equal(1f, found[0].Score, 0.001f);
        Assert.NotNull(got);
        Assert.Equal(1f, TensorPrimitives.Dot(vector.Vector, got), 0.001f);
        Assert.Null(await store.GetAsync(vector.JobId, 2, Token));
    }

    [Fact]
    public async Task Search_SeesVectorsStoredAfterAnEarlierSearch()
    {
        var random = new Random(4);
        var first = Attempts(random, 3);
        var store = await StoreWithAsync(first);
        Assert.Equal(3, (await store.SearchAsync(first[0].Vector, null, null, null, 10, Token)).Count);

        var later = Attempts(random, 2);
        await PrepareAttemptsAsync(later);
        await store.UpsertAsync(later, Token);
        var found = await store.SearchAsync(later[1].Vector, null, null, null, 10, Token);

        Assert.Equal(5, found.Count);
        Assert.Equal(later[1].JobId, found[0].JobId);
    }

    [Fact]
    public async Task Search_OfAnEmptyStore_FindsNothing()
    {
        var store = await StoreAsync();

        Assert.Empty(await store.SearchAsync(UnitVector(new Random(5)), null, null, null, 10, Token));
    }
}
