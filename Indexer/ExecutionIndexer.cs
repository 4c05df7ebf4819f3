using System.Diagnostics;
using System.Threading.Channels;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Memory;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace AspireJobs.Indexer;

/// <summary>
/// Loads the embedding model, then reads the attempts that finished, in log order, from a cursor
/// over <c>job_events</c> kept in PostgreSQL, one per vector store (so a restart resumes where the
/// last run stored, and a store switched to is filled from the start of the log), and
/// remembers those worth it (<see cref="RememberPolicy"/>): their text is built (<see
/// cref="ExecutionText"/>), looked up in a cache of recent texts, embedded in batches when new,
/// and stored with the vector store.
/// <para>
/// Two loops joined by a bounded channel: the reader runs ahead by at most a few batches and
/// waits when the model is behind (back-pressure), so a backlog of a million attempts costs a
/// few batches of memory, not a million. The cursor is saved after a batch is stored, so an
/// attempt is stored at least once; storing it again changes nothing. While it catches up it is
/// saved at most every <see cref="CursorSaveInterval"/>, and always once the reader has caught up.
/// </para>
/// </summary>
public sealed partial class ExecutionIndexer(
    ExecutionMemoryStore store,
    IVectorStore vectors,
    IEmbedder embedder,
    RememberPolicy policy,
    IndexerMetrics metrics,
    TimeProvider clock,
    IOptions<IndexerOptions> options,
    ILogger<ExecutionIndexer> logger) : BackgroundService
{
    /// <summary>
    /// While catching up, a save per batch was a commit per page of the log, a quarter of the
    /// indexer's time in PostgreSQL during a drain; a restart re-reads at most this much.
    /// </summary>
    public static readonly TimeSpan CursorSaveInterval = TimeSpan.FromSeconds(1);

    private readonly IndexerOptions _options = options.Value;
    private readonly VectorCache _cache = new(options.Value.CacheSize);

    /// <summary>
    /// One batch on its way from the reader to the model, the log position it completes, and
    /// whether that position is the end of the log as the reader saw it.
    /// </summary>
    private sealed record Batch(IReadOnlyList<(FinishedAttempt Attempt, ExecutionOutcome Outcome)> Attempts, long LastEventId, bool CaughtUp);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The model first: loaded while the system starts, it costs the first jobs nothing, and
        // the indexer is ready once it is (EmbeddingModelHealthCheck). A model that cannot load
        // stops the process, as it did at the first batch before: there is nothing to do without it.
        var loading = Stopwatch.GetTimestamp();
        await embedder.LoadAsync(stoppingToken);
        var loaded = Stopwatch.GetElapsedTime(loading);
        LogModelLoaded(loaded.TotalMilliseconds);

        var channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(_options.QueuedBatches)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        var cursor = await RetryAsync(ct => store.JobEventCursorGetAsync(vectors.CursorName, ct), "reading the cursor", stoppingToken);
        LogStarting(cursor, vectors.GetType().Name);

        // A loop that fails for good (the model throws, the vector store refuses) stops the other
        // and the process, to be seen and restarted: alone, the reader would go on reading, or wait
        // for room in the channel for ever, and the indexer would look healthy while it stored nothing.
        using var loops = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        await Task.WhenAll(
            StopsBothOnFailureAsync(ReadAsync(cursor, channel.Writer, loops.Token), loops),
            StopsBothOnFailureAsync(StoreAsync(channel.Reader, loops.Token), loops));
    }

    private static async Task StopsBothOnFailureAsync(Task loop, CancellationTokenSource loops)
    {
        try
        {
            await loop;
        }
        catch
        {
            await loops.CancelAsync();
            throw;
        }
    }

    private async Task ReadAsync(long cursor, ChannelWriter<Batch> batches, CancellationToken stoppingToken)
    {
        try
        {
            var window = _options.BatchSize * 4;
            var saveOwed = false; // the last batch sent may not have had its position saved
            var settling = new JobEventLogSettling(); // where a gap in the ids is known to be final
            while (!stoppingToken.IsCancellationRequested)
            {
                var gapsBefore = clock.GetUtcNow() - _options.SettleDelay;
                var page = await RetryAsync(ct => store.FinishedAttemptGetAfterAsync(cursor, window, gapsBefore, settling.SettledThrough, policy.MayRememberCompleted, ct), "reading finished attempts", stoppingToken);
                settling.Observe(page.Mark);
                var remembered = page.Attempts
                    .Select(attempt => (Attempt: attempt, Outcome: policy.Remember(attempt)))
                    .Where(entry => entry.Outcome is not null)
                    .Select(entry => (entry.Attempt, entry.Outcome!.Value))
                    .ToList();
                var caughtUp = page.EventsRead < window;
                var pageBatches = BatchesOf(remembered, page.LastEventId, caughtUp);

                // An empty batch moves the saved cursor past events to skip, or, once caught up,
                // saves the position of a full page whose save was put off.
                if (pageBatches.Count == 0 && (page.LastEventId > cursor || (caughtUp && saveOwed)))
                {
                    pageBatches.Add(new Batch([], page.LastEventId, caughtUp));
                }

                foreach (var batch in pageBatches)
                {
                    await batches.WriteAsync(batch, stoppingToken);
                }

                if (pageBatches.Count > 0)
                {
                    saveOwed = !caughtUp;
                }

                cursor = page.LastEventId;
                if (caughtUp)
                {
                    await Task.Delay(_options.PollInterval, clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            batches.TryComplete();
        }
    }

    /// <summary>
    /// A page's remembered attempts in batches of <see cref="IndexerOptions.BatchSize"/>; the last
    /// completes the page's position, and is the end of the log when the page was.
    /// </summary>
    private List<Batch> BatchesOf(List<(FinishedAttempt Attempt, ExecutionOutcome Outcome)> remembered, long pageEnd, bool caughtUp)
    {
        var result = new List<Batch>();
        for (var start = 0; start < remembered.Count; start += _options.BatchSize)
        {
            var part = remembered.GetRange(start, Math.Min(_options.BatchSize, remembered.Count - start));
            var last = start + part.Count >= remembered.Count;
            result.Add(new Batch(part, last ? pageEnd : part[^1].Attempt.EventId, last && caughtUp));
        }

        return result;
    }

    private async Task StoreAsync(ChannelReader<Batch> batches, CancellationToken stoppingToken)
    {
        try
        {
            var saved = DateTimeOffset.MinValue;
            await foreach (var batch in batches.ReadAllAsync(stoppingToken))
            {
                var started = Stopwatch.GetTimestamp();
                var (stored, hits, modelTexts) = await RetryAsync(ct => EmbedAndStoreAsync(batch, ct), "storing vectors", stoppingToken);
                if (batch.CaughtUp || clock.GetUtcNow() - saved >= CursorSaveInterval)
                {
                    await RetryAsync(async ct =>
                    {
                        await store.JobEventCursorSetAsync(vectors.CursorName, batch.LastEventId, clock.GetUtcNow(), ct);
                        return true;
                    }, "saving the cursor", stoppingToken);
                    saved = clock.GetUtcNow();
                }

                if (stored > 0)
                {
                    var took = Stopwatch.GetElapsedTime(started);
                    metrics.Stored(stored, hits, modelTexts, took);
                    LogStored(stored, hits, modelTexts, took.TotalMilliseconds, batch.LastEventId);
                }
            }
        }
        catch (Exception e) when (stoppingToken.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Stopping (a cancelled call to Qdrant ends in its own exception); the batches not
            // stored are read again from the saved cursor next time.
        }
    }

    private async Task<(int Stored, int CacheHits, int ModelTexts)> EmbedAndStoreAsync(Batch batch, CancellationToken cancellationToken)
    {
        if (batch.Attempts.Count == 0)
        {
            return (0, 0, 0);
        }

        var texts = batch.Attempts
            .Select(entry => ExecutionText.Build(entry.Attempt.JobType, entry.Outcome, entry.Attempt.Error, entry.Attempt.Duration))
            .ToList();
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var hits = 0;
        foreach (var text in texts)
        {
            if (found.ContainsKey(text))
            {
                hits++; // the same text twice in one batch: embedded once
            }
            else if (_cache.TryGet(text, out var cached))
            {
                hits++;
                found[text] = cached;
            }
        }

        var missing = texts.Where(text => !found.ContainsKey(text)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            var embedded = await embedder.EmbedAsync(missing, cancellationToken);
            for (var i = 0; i < missing.Count; i++)
            {
                found[missing[i]] = embedded[i];
                _cache.Add(missing[i], embedded[i]);
            }
        }

        var rows = batch.Attempts.Select((entry, i) => new ExecutionVector(
            entry.Attempt.JobId, entry.Attempt.Attempt, entry.Attempt.JobType, entry.Outcome, found[texts[i]])).ToList();
        await vectors.UpsertAsync(rows, cancellationToken);
        return (rows.Count, hits, missing.Count);
    }

    /// <summary>Runs a step until it succeeds: PostgreSQL or Qdrant away is waited out (<see cref="IndexerFailure"/>), any other failure ends the indexer.</summary>
    private async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> step, string what, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                return await step(stoppingToken);
            }
            catch (Exception e) when (IndexerFailure.IsPassing(e) && !stoppingToken.IsCancellationRequested)
            {
                LogRetrying(what, e.Message, _options.RetryDelay.TotalSeconds);
                await Task.Delay(_options.RetryDelay, clock, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded the embedding model in {Milliseconds:0} ms")]
    private partial void LogModelLoaded(double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexing finished attempts after event {Cursor} into {Store}")]
    private partial void LogStarting(long cursor, string store);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {Stored} vectors ({CacheHits} from the cache, {ModelTexts} texts embedded) in {Milliseconds:0} ms; cursor at event {Cursor}")]
    private partial void LogStored(int stored, int cacheHits, int modelTexts, double milliseconds, long cursor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Indexer: {What} failed ({Reason}); trying again in {Seconds} s")]
    private partial void LogRetrying(string what, string reason, double seconds);
}
