using System.Diagnostics;
using System.Runtime;
using System.Text;
using System.Text.Json;
using AspireJobs.Core.Jobs;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Rehearses the batch create path as the Api starts, while it already serves but before it
/// reports ready (<see cref="CreatePathWarmUpHealthCheck"/>): rounds of <see cref="RoundSize"/>
/// jobs read, checked and planned as the route does, inserted in a transaction that is rolled
/// back, and their tickets made, until a round and the pause after it compile nothing new (at
/// most <see cref="ApiOptions.WarmUpRounds"/>). Why: a fresh Api otherwise serves its first burst
/// with its first, quick compiles, and spends that burst's CPU optimizing its hot methods while the
/// workers wait for jobs; whoever waits for the Api to be healthy (the AppHost's ready line,
/// Aspire.Hosting.Testing, a readiness probe) gets it warm. Why not before it listens: an Api
/// restarted after a crash would then refuse its clients' retries for the seconds the rounds take
/// (clients routed by readiness still wait for them, as before). The pause matters: the
/// runtime counts calls toward optimizing a method only once it has compiled nothing new for
/// 100 ms, so rounds run back to back would all go uncounted. Best effort: if the rounds are not
/// done in <see cref="ApiOptions.WarmUpTimeout"/>, or fail, the Api reports ready cold and says so.
/// The rehearsal writes nothing that stays: its jobs are never committed, never reach Redis, and
/// count in no job metric. It leaves the Redis push and the single create (through the group
/// commit) to the first real creates: neither can be rehearsed without doing it.
/// </summary>
public sealed partial class CreatePathWarmUp(
    JobRequestReader reader, JobPlanner planner, JobStore store, IOptions<ApiOptions> options, IOptions<JsonOptions> json,
    TimeProvider clock, ILogger<CreatePathWarmUp> logger) : BackgroundService
{
    /// <summary>
    /// Jobs a round rehearses: more calls of each per-job method than the 30 that get it
    /// optimized, and a small round; fewer where the Api's batch limits are lower.
    /// </summary>
    public const int RoundSize = 100;

    /// <summary>The most bytes a rehearsed job takes in the body, to keep a round under <see cref="ApiOptions.MaxBatchRequestBytes"/>.</summary>
    private const int BytesPerJob = 64;

    /// <summary>The body's bytes around its jobs, <c>{"jobs":[</c> and <c>]}</c>, rounded up.</summary>
    private const int EnvelopeBytes = 16;

    /// <summary>The pause after a round: longer than the runtime's 100 ms without new compiles before it counts calls.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// Rounds run however quiet the runtime looks: the first compiles the path, the second's calls
    /// are counted, and the third runs what that optimized (and anything it compiles anew).
    /// </summary>
    private const int LeastRounds = 3;

    /// <summary>Rounds done so far (the service starts once).</summary>
    private int _rounds;

    /// <summary>Set once the rehearsal has ended; read by the health check on other threads.</summary>
    private volatile bool _done = options.Value.WarmUpRounds == 0;

    /// <summary>True once the rehearsal has ended, however it ended; from the start when none is asked for.</summary>
    public bool IsDone => _done;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RehearseRoundsAsync(stoppingToken);
        }
        finally
        {
            _done = true;
        }
    }

    private async Task RehearseRoundsAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.WarmUpRounds == 0)
        {
            return;
        }

        var size = (int)Math.Min(Math.Min(RoundSize, settings.MaxBatchSize), (settings.MaxBatchRequestBytes - EnvelopeBytes) / BytesPerJob);
        var started = Stopwatch.GetTimestamp();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var rounds = RunRoundsAsync(BodyOf(size), settings.WarmUpRounds, stop.Token);
        bool settled;
        try
        {
            // Waited for apart from the rounds: Npgsql's open does not heed a cancellation while
            // it waits for the server's first answer, so a PostgreSQL that takes the connection and
            // says nothing would hold the rounds until its own connect timeout.
            settled = await rounds.WaitAsync(settings.WarmUpTimeout, stoppingToken);
        }
        catch (Exception e)
        {
            // PostgreSQL not answering, a machine too busy to finish in time, or the Api stopping:
            // the Api works the same, only slower at first. A round still waiting ends on its own, unobserved.
            await stop.CancelAsync();
            _ = rounds.ContinueWith(static round => round.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (!stoppingToken.IsCancellationRequested)
            {
                LogReadyCold(e, _rounds, e is TimeoutException ? $"not done within {settings.WarmUpTimeout.TotalSeconds} s" : e.Message);
            }

            return;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        LogWarmedUp(_rounds, size, elapsed.TotalMilliseconds, settled);
    }

    /// <summary>Rounds until one compiles nothing new (true), or <paramref name="most"/> of them (false).</summary>
    private async Task<bool> RunRoundsAsync(byte[] body, int most, CancellationToken cancellationToken)
    {
        var compiled = JitInfo.GetCompiledMethodCount();
        while (_rounds < most)
        {
            await RehearseAsync(body, cancellationToken);
            await Task.Delay(Pause, cancellationToken);
            _rounds++;
            var now = JitInfo.GetCompiledMethodCount();
            if (_rounds >= LeastRounds && now == compiled)
            {
                return true;
            }

            compiled = now;
        }

        return false;
    }

    /// <summary>One round: the route's reading, checks and plan; the insert, rolled back; the tickets.</summary>
    private async Task RehearseAsync(byte[] body, CancellationToken cancellationToken)
    {
        var request = new DefaultHttpContext().Request;
        (request.Body, request.ContentType, request.ContentLength) = (new MemoryStream(body), "application/json", body.Length);
        var (requests, problem) = await JobsApi.ReadBatchAsync(request, reader, options.Value, clock.GetUtcNow(), cancellationToken);
        if (problem is not null)
        {
            throw new InvalidOperationException("The route refused the warm-up's own batch.");
        }

        var plan = await planner.PlanAsync(requests, inBatch: true, cancellationToken);
        var inserted = await store.JobInsertBatchRolledBackAsync(plan.Jobs!, cancellationToken);
        JsonSerializer.SerializeToUtf8Bytes(new BatchResponse(inserted.Ids), json.Value.SerializerOptions);
        _ = JobCreator.TicketsOf(plan.Jobs!, inserted.Created);
    }

    /// <summary>A batch body as a client sends one: jobs of every priority, with small payloads.</summary>
    private static byte[] BodyOf(int jobs)
    {
        var body = new StringBuilder("{\"jobs\":[");
        for (var i = 0; i < jobs; i++)
        {
            body.Append(i == 0 ? "" : ",")
                .Append("{\"type\":\"warm-up\",\"priority\":").Append(i % 5 + 1)
                .Append(",\"payload\":{\"n\":").Append(i).Append("}}");
        }

        return Encoding.UTF8.GetBytes(body.Append("]}").ToString());
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Create path warmed up: {Rounds} rounds of {RoundSize} jobs rehearsed in {Milliseconds:0} ms (compiles settled: {Settled})")]
    private partial void LogWarmedUp(int rounds, int roundSize, double milliseconds, bool settled);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Create path warm-up stopped after {Rounds} rounds ({Reason}); the Api reports ready, and its first creates may run on the first compiles")]
    private partial void LogReadyCold(Exception exception, int rounds, string reason);
}
