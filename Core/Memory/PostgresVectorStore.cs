using System.Collections.Concurrent;
using System.Numerics.Tensors;
using AspireJobs.Core.Storage;
using Npgsql;
using NpgsqlTypes;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Memory;

/// <summary>
/// The default vector store: vectors kept in PostgreSQL (<c>execution_vectors</c>), searched
/// exactly, in this process, over an in-memory copy. The copy is loaded on the first search and
/// brought up to date before each one with the rows added since (by their sequence number), so a
/// search reads a handful of rows from PostgreSQL, never the whole table. The score of a row is the
/// dot product of two unit vectors (their cosine), computed with SIMD by
/// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>, and the best are
/// kept in a small heap (<see cref="TopK"/>).
/// </summary>
/// <remarks>
/// Limits, by design:
/// <list type="bullet">
/// <item>Memory: n × 384 × 4 bytes in every process that searches (the Api): 150 MB for 100,000
/// vectors, 1.5 GB for a million.</item>
/// <item>Time: a search scans every row, so it grows linearly (measured in the README). Past about a
/// million vectors, or when many searches run at once, an approximate index takes over: set
/// <c>ConnectionStrings:qdrant</c> and <see cref="QdrantVectorStore"/> searches Qdrant's HNSW graph
/// in about logarithmic time instead.</item>
/// <item>Rows deleted from the table (retention purges old jobs, and their vectors by cascade)
/// stay in the copy until its periodic full reload; a search asks for a few more than it returns,
/// and the caller drops matches whose job is gone.</item>
/// <item>Loading by sequence number assumes rows are committed in sequence order, which holds with
/// one indexer writing one batch at a time, as the AppHost runs it.</item>
/// </list>
/// </remarks>
public sealed class PostgresVectorStore(NpgsqlDataSource db, TimeProvider clock) : IVectorStore, IDisposable
{
    /// <summary>Rows per chunk of the copy: 4096 × 384 floats is 6 MB, so growth never copies the whole table.</summary>
    public const int ChunkSize = 4096;

    /// <summary>How often the copy is rebuilt from scratch (in the background), to forget rows deleted from the table.</summary>
    public static readonly TimeSpan FullReloadInterval = TimeSpan.FromHours(1);

    private const int LoadBatch = 1_000;

    /// <summary>The cursor's name since the first version, which had this store only.</summary>
    public string CursorName => "indexer";

    private static readonly string InsertSql = EmbeddedFile.Core("ExecutionVectorInsertIfMissing.sql");
    private static readonly string GetSinceSql = EmbeddedFile.Core("ExecutionVectorGetSince.sql");
    private static readonly string GetAllSql = EmbeddedFile.Core("ExecutionVectorGetAll.sql");
    private static readonly string GetSql = EmbeddedFile.Core("ExecutionVectorGet.sql");

    private readonly SemaphoreSlim _catchUp = new(1, 1);
    private readonly ConcurrentDictionary<string, int> _typeIds = new(StringComparer.Ordinal);
    private VectorTable? _table;
    private DateTimeOffset _loadedAt;
    private int _reloading;

    /// <summary>How many vectors the in-memory copy holds (0 before the first search).</summary>
    public int LoadedCount => Volatile.Read(ref _table)?.Count ?? 0;

    public async Task UpsertAsync(IReadOnlyList<ExecutionVector> vectors, CancellationToken cancellationToken)
    {
        if (vectors.Count == 0)
        {
            return;
        }

        var dimensions = vectors[0].Vector.Length;
        if (vectors.Any(v => v.Vector.Length != dimensions))
        {
            throw new ArgumentException("Every vector of a batch must have the same length.", nameof(vectors));
        }

        var flat = new float[vectors.Count * dimensions];
        for (var i = 0; i < vectors.Count; i++)
        {
            vectors[i].Vector.CopyTo(flat, i * dimensions);
        }

        // By key: a plan made while job_executions was small would read it whole for every batch.
        await using var batch = ByKeyBatch.On(db);
        var command = new NpgsqlBatchCommand(InsertSql);
        command.Parameters.Add(Value(vectors.Select(v => v.JobId).ToArray()));
        command.Parameters.Add(Value(vectors.Select(v => v.Attempt).ToArray()));
        command.Parameters.Add(TextArray(vectors.Select(v => v.JobType).ToArray()));
        command.Parameters.Add(TextArray(vectors.Select(v => ExecutionOutcomeText.Of(v.Outcome)).ToArray()));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Real | NpgsqlDbType.Array, Value = flat });
        command.Parameters.Add(Value(dimensions));
        batch.BatchCommands.Add(command);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<VectorMatch>> SearchAsync(
        float[] vector, string? jobType, ExecutionOutcome? outcome, Guid? excludeJobId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var table = await CatchUpAsync(cancellationToken);
        int? typeId = null;
        if (jobType is not null)
        {
            if (!_typeIds.TryGetValue(jobType, out var id))
            {
                return [];
            }

            typeId = id;
        }

        return table.Search(vector, typeId, outcome, excludeJobId, limit);
    }

    public async Task<float[]?> GetAsync(Guid jobId, int attempt, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(GetSql);
        command.Parameters.Add(Value(jobId));
        command.Parameters.Add(Value(attempt));
        return await command.ExecuteScalarAsync(cancellationToken) as float[];
    }

    public void Dispose() => _catchUp.Dispose();

    /// <summary>Loads the copy on first use, then adds the rows stored since; starts a background rebuild when one is due.</summary>
    private async Task<VectorTable> CatchUpAsync(CancellationToken cancellationToken)
    {
        await _catchUp.WaitAsync(cancellationToken);
        try
        {
            var table = _table ??= new VectorTable(_typeIds);
            if (_loadedAt == default)
            {
                _loadedAt = clock.GetUtcNow();
            }

            await LoadAsync(table, cancellationToken);
            if (clock.GetUtcNow() - _loadedAt > FullReloadInterval && Interlocked.Exchange(ref _reloading, 1) == 0)
            {
                _ = Task.Run(ReloadAsync, CancellationToken.None);
            }

            return table;
        }
        finally
        {
            _catchUp.Release();
        }
    }

    /// <summary>Builds a new copy beside the one in use, then swaps it in after a last catch-up, so searches never wait for it.</summary>
    private async Task ReloadAsync()
    {
        try
        {
            var fresh = new VectorTable(_typeIds);
            await LoadAsync(fresh, CancellationToken.None);
            await _catchUp.WaitAsync();
            try
            {
                await LoadAsync(fresh, CancellationToken.None);
                Volatile.Write(ref _table, fresh);
                _loadedAt = clock.GetUtcNow();
            }
            finally
            {
                _catchUp.Release();
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // The copy in use stays; the next search tries again.
        }
        finally
        {
            Volatile.Write(ref _reloading, 0);
        }
    }

    /// <summary>
    /// An empty copy is filled in one streamed pass over the table; after that, only the rows
    /// stored since its highest sequence number are read, a page at a time, by the index on seq.
    /// </summary>
    private async Task LoadAsync(VectorTable table, CancellationToken cancellationToken)
    {
        if (table.LastSeq == 0)
        {
            await using var all = db.CreateCommand(GetAllSql);
            all.CommandTimeout = 0; // a large table takes a while; the caller's token still stops it
            await ReadIntoAsync(all, table, cancellationToken);
        }

        while (true)
        {
            await using var command = db.CreateCommand(GetSinceSql);
            command.Parameters.Add(Value(table.LastSeq));
            command.Parameters.Add(Value(LoadBatch));
            if (await ReadIntoAsync(command, table, cancellationToken) < LoadBatch)
            {
                return;
            }
        }
    }

    private static async Task<int> ReadIntoAsync(NpgsqlCommand command, VectorTable table, CancellationToken cancellationToken)
    {
        var read = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            read++;
            table.Append(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetString(3),
                ExecutionOutcomeText.Parse(reader.GetString(4)), reader.GetFieldValue<float[]>(5));
        }

        return read;
    }

    /// <summary>
    /// The in-memory copy: rows in chunks of <see cref="ChunkSize"/>, appended by one writer at a
    /// time (under the store's catch-up lock) and read by any number of searches. A search reads
    /// the published count first, and only rows below it, which are never written again.
    /// </summary>
    private sealed class VectorTable(ConcurrentDictionary<string, int> typeIds)
    {
        private Chunk[] _chunks = [];
        private int _count;
        private int _dimensions;

        public long LastSeq { get; private set; }

        public int Count => Volatile.Read(ref _count);

        public void Append(long seq, Guid jobId, int attempt, string jobType, ExecutionOutcome outcome, float[] vector)
        {
            LastSeq = Math.Max(LastSeq, seq);
            if (_dimensions == 0)
            {
                _dimensions = vector.Length;
            }

            if (vector.Length != _dimensions)
            {
                return; // a vector of another model: not comparable with the rest
            }

            var index = _count;
            var chunkIndex = index / ChunkSize;
            if (chunkIndex == _chunks.Length)
            {
                var grown = new Chunk[_chunks.Length + 1];
                _chunks.CopyTo(grown, 0);
                grown[^1] = new Chunk(_dimensions);
                Volatile.Write(ref _chunks, grown);
            }

            var chunk = _chunks[chunkIndex];
            var row = index % ChunkSize;
            vector.CopyTo(chunk.Vectors, row * _dimensions);
            chunk.JobIds[row] = jobId;
            chunk.Attempts[row] = attempt;
            chunk.Types[row] = TypeId(jobType);
            chunk.Outcomes[row] = (byte)outcome;
            Volatile.Write(ref _count, index + 1);
        }

        /// <summary>A number per type, shared by every copy (a rebuild appends beside the copy in use).</summary>
        private int TypeId(string jobType)
        {
            if (typeIds.TryGetValue(jobType, out var id))
            {
                return id;
            }

            lock (typeIds)
            {
                return typeIds.GetOrAdd(jobType, typeIds.Count);
            }
        }

        public List<VectorMatch> Search(float[] query, int? typeId, ExecutionOutcome? outcome, Guid? excludeJobId, int limit)
        {
            var count = Count;
            var chunks = Volatile.Read(ref _chunks);
            var dimensions = _dimensions;
            if (count == 0 || query.Length != dimensions)
            {
                return [];
            }

            var top = new TopK(limit);
            for (var index = 0; index < count; index++)
            {
                var chunk = chunks[index / ChunkSize];
                var row = index % ChunkSize;
                if ((typeId is { } type && chunk.Types[row] != type)
                    || (outcome is { } wanted && chunk.Outcomes[row] != (byte)wanted)
                    || (excludeJobId is { } excluded && chunk.JobIds[row] == excluded))
                {
                    continue;
                }

                top.Offer(index, TensorPrimitives.Dot(query, chunk.Vectors.AsSpan(row * dimensions, dimensions)));
            }

            return top.Result().Select(found =>
            {
                var chunk = chunks[found.Item / ChunkSize];
                var row = found.Item % ChunkSize;
                return new VectorMatch(chunk.JobIds[row], chunk.Attempts[row], (ExecutionOutcome)chunk.Outcomes[row], found.Score);
            }).ToList();
        }
    }

    private sealed class Chunk(int dimensions)
    {
        public float[] Vectors { get; } = new float[ChunkSize * dimensions];

        public Guid[] JobIds { get; } = new Guid[ChunkSize];

        public int[] Attempts { get; } = new int[ChunkSize];

        public int[] Types { get; } = new int[ChunkSize];

        public byte[] Outcomes { get; } = new byte[ChunkSize];
    }
}
