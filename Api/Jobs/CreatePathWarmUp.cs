using System.Diagnostics;
using System.Runtime;
using System.Text;
using System.Text.Json;
using AspireJobs.Api.Http;
using AspireJobs.Core.Jobs;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Rehearses the batch create path as the Api starts, before it listens: rounds of
/// <see cref="RoundSize"/> jobs read, checked and planned as the route does, inserted in a
/// transaction that is rolled back, and their tickets made, until a round and the pause after it
/// compile nothing new (at most <see cref="ApiOptions.WarmUpRounds"/>). Why: a fresh Api otherwise
/// serves its first burst with its first, quick compiles, and spends that burst's CPU optimizing
/// its hot methods while the workers wait for jobs. The pause matters: the runtime counts calls
/// toward optimizing a method only once it has compiled nothing new for 100 ms, so rounds run
/// back to back would all go uncounted. Best effort: if PostgreSQL does not answer in
/// <see cref="ApiOptions.WarmUpTimeout"/>, the Api starts cold and says so. The rehearsal writes
/// nothing that stays: its jobs are never committed, never reach Redis, and count in no metric.
/// </summary>
public sealed partial class CreatePathWarmUp(
    JobRequestReader reader, JobPlanner planner, JobStore store, IOptions<ApiOptions> options, IOptions<JsonOptions> json,
    TimeProvider clock, ILogger<CreatePathWarmUp> logger) : IHostedService
{
    /// <summary>Jobs a round rehearses: more calls of each per-job method than the 30 that get it optimized, and a small round.</summary>
    public const int RoundSize = 100;

    /// <summary>The pause after a round: longer than the runtime's 100 ms without new compiles before it counts calls.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(150);

    /// <summary>Rounds run however quiet the runtime looks: the first compiles, the second is counted.</summary>
    private const int LeastRounds = 3;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.WarmUpRounds == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.WarmUpTimeout);
        var rounds = 0;
        var settled = false;
        try
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            while (!settled && rounds < settings.WarmUpRounds)
            {
                await RehearseAsync(timeout.Token);
                await Task.Delay(Pause, timeout.Token);
                rounds++;
                var now = JitInfo.GetCompiledMethodCount();
                settled = rounds >= LeastRounds && now == compiled;
                compiled = now;
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // PostgreSQL not answering yet, or slowly: the Api works the same, only slower at first.
            LogStartingCold(rounds, e is OperationCanceledException ? $"not done within {settings.WarmUpTimeout.TotalSeconds} s" : e.Message);
            return;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        LogWarmedUp(rounds, RoundSize, elapsed.TotalMilliseconds, settled);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One round: the route's reading, checks and plan; the insert, rolled back; the tickets.</summary>
    private async Task RehearseAsync(CancellationToken cancellationToken)
    {
        var bytes = BodyOf(RoundSize);
        var request = new DefaultHttpContext().Request;
        (request.Body, request.ContentType, request.ContentLength) = (new MemoryStream(bytes), "application/json", bytes.Length);
        var (document, unreadable) = await RequestBody.ReadJsonAsync(request, options.Value.MaxBatchRequestBytes, cancellationToken);
        using var body = document;
        var (requests, problem) = unreadable is null
            ? JobsApi.ReadBatch(body!.RootElement, reader, options.Value.MaxBatchSize, clock.GetUtcNow())
            : default;
        if (unreadable is not null || problem is not null)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Create path warm-up stopped after {Rounds} rounds ({Reason}); the first creates may run on the first compiles")]
    private partial void LogStartingCold(int rounds, string reason);
}
