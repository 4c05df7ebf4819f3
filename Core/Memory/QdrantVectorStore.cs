using System.IO.Hashing;
using Grpc.Core;
using Qdrant.Client;
using Qdrant.Client.Grpc;
using static Qdrant.Client.Grpc.Conditions;

namespace AspireJobs.Core.Memory;

/// <summary>
/// Execution memory in Qdrant, over gRPC: one point per remembered attempt in one collection
/// (cosine distance, created when missing), with the job id, attempt, type and outcome as payload
/// that searches filter on (keyword indexes on type and outcome). Qdrant searches its HNSW graph,
/// an approximate nearest-neighbour index, so a search stays fast well past the millions of
/// vectors where the PostgreSQL store's exact scan gets slow; used when
/// <c>ConnectionStrings:qdrant</c> is set.
/// </summary>
public sealed class QdrantVectorStore(QdrantClient client, string collection, int dimensions) : IVectorStore, IDisposable
{
    public const string DefaultCollection = "executions";

    private readonly SemaphoreSlim _ensure = new(1, 1);
    private bool _ensured;

    public string CursorName => $"indexer:qdrant:{collection}";

    public async Task UpsertAsync(IReadOnlyList<ExecutionVector> vectors, CancellationToken cancellationToken)
    {
        if (vectors.Count == 0)
        {
            return;
        }

        var points = vectors.Select(v => new PointStruct
        {
            Id = PointIdOf(v.JobId, v.Attempt),
            Vectors = v.Vector,
            Payload =
            {
                ["jobId"] = v.JobId.ToString(),
                ["attempt"] = v.Attempt,
                ["type"] = v.JobType,
                ["outcome"] = ExecutionOutcomeText.Of(v.Outcome),
            },
        }).ToList();
        await InCollectionAsync(ct => client.UpsertAsync(collection, points, wait: true, cancellationToken: ct), cancellationToken);
    }

    public async Task<IReadOnlyList<VectorMatch>> SearchAsync(
        float[] vector, string? jobType, ExecutionOutcome? outcome, Guid? excludeJobId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var filter = new Filter();
        if (jobType is not null)
        {
            filter.Must.Add(MatchKeyword("type", jobType));
        }

        if (outcome is { } wanted)
        {
            filter.Must.Add(MatchKeyword("outcome", ExecutionOutcomeText.Of(wanted)));
        }

        if (excludeJobId is { } excluded)
        {
            filter.MustNot.Add(MatchKeyword("jobId", excluded.ToString()));
        }

        var found = await InCollectionAsync(ct => client.QueryAsync(
            collection, query: vector, filter: filter, limit: (ulong)limit, payloadSelector: true, cancellationToken: ct), cancellationToken);
        return found.Select(point => new VectorMatch(
            Guid.Parse(point.Payload["jobId"].StringValue),
            (int)point.Payload["attempt"].IntegerValue,
            ExecutionOutcomeText.Parse(point.Payload["outcome"].StringValue),
            point.Score)).ToList();
    }

    public async Task<float[]?> GetAsync(Guid jobId, int attempt, CancellationToken cancellationToken)
    {
        var points = await InCollectionAsync(ct => client.RetrieveAsync(
            collection, [PointIdOf(jobId, attempt)], withPayload: false, withVectors: true, cancellationToken: ct), cancellationToken);
        return points.Count == 0 ? null : points[0].Vectors.Vector.Dense.Data.ToArray();
    }

    /// <summary>
    /// Runs a call on the collection, made first if missing; a collection deleted since (by hand,
    /// or by a Qdrant that lost its storage) is made again once, instead of failing every call
    /// until a restart. What was stored in it is gone: the indexer fills it from now on.
    /// </summary>
    private async Task<T> InCollectionAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        await EnsureCollectionAsync(cancellationToken);
        try
        {
            return await call(cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            Volatile.Write(ref _ensured, false);
            await EnsureCollectionAsync(cancellationToken);
            return await call(cancellationToken);
        }
    }

    /// <summary>Creates the collection and its payload indexes when missing (another process may race to it: that is fine).</summary>
    public async Task EnsureCollectionAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _ensured))
        {
            return;
        }

        await _ensure.WaitAsync(cancellationToken);
        try
        {
            if (_ensured)
            {
                return;
            }

            if (!await client.CollectionExistsAsync(collection, cancellationToken))
            {
                try
                {
                    await client.CreateCollectionAsync(
                        collection, new VectorParams { Size = (ulong)dimensions, Distance = Distance.Cosine }, cancellationToken: cancellationToken);
                    foreach (var field in new[] { "type", "outcome", "jobId" })
                    {
                        await client.CreatePayloadIndexAsync(collection, field, PayloadSchemaType.Keyword, cancellationToken: cancellationToken);
                    }
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
                {
                    // Created by another process meanwhile.
                }
            }

            Volatile.Write(ref _ensured, true);
        }
        finally
        {
            _ensure.Release();
        }
    }

    public void Dispose() => _ensure.Dispose();

    /// <summary>One point per attempt, whoever writes it: a name-based id from the job id and attempt number.</summary>
    public static Guid PointIdOf(Guid jobId, int attempt)
    {
        Span<byte> key = stackalloc byte[20];
        jobId.TryWriteBytes(key);
        BitConverter.TryWriteBytes(key[16..], attempt);
        Span<byte> hash = stackalloc byte[16];
        XxHash128.Hash(key, hash);
        return new Guid(hash);
    }
}
