using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Npgsql;

namespace AspireJobs.Checker;

/// <summary>
/// Proves the promise under faults: nothing acknowledged is lost, nothing finishes twice. Clients
/// create <c>record</c> jobs all the time (batches, and single creates retried with their
/// idempotency key as a careful client would), while every fault class is injected in turn; after
/// each, a job created after it must complete (its recovery time). Then every job must have
/// finished, every acknowledged one completed exactly once, by the attempt whose effect is
/// recorded, every job's attempts must be recorded as the schema promises (CheckerInvariants.sql),
/// and the Api's count, the database's and the effects' must agree.
/// </summary>
public sealed class LossChecker(CheckedSystem system, CheckerOptions options, Action<string> log)
{
    private static readonly string ProblemsSql = Embedded("CheckerProblems.sql");
    private static readonly string CountsSql = Embedded("CheckerCounts.sql");
    private static readonly string HistorySql = Embedded("CheckerHistory.sql");
    /// <summary>Every job whose history breaks the schema's promises (CheckerInvariants.sql): its id, and what.</summary>
    internal static readonly string InvariantsSql = Embedded("CheckerInvariants.sql");

    // Acknowledged job id → the phase it was acknowledged in (0: before any fault).
    private readonly ConcurrentDictionary<Guid, int> _acknowledged = new();
    private volatile int _phase;

    public async Task<CheckerReport> RunAsync(IReadOnlyList<CheckerFault> faults, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        using var stopCreating = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var creators = Enumerable.Range(0, options.Creators).Select(i => CreateAsync(i, stopCreating.Token)).ToList();
        await Task.Delay(options.Settle, cancellationToken);
        var sessionsBefore = (await CountsAsync(cancellationToken)).Sessions;

        // Phase i + 1 is the i-th injection; each fault class may be injected many times.
        var injections = new List<(CheckerFault Fault, TimeSpan? Recovery)>();
        var random = new Random(42);
        var round = faults;
        do
        {
            foreach (var fault in round)
            {
                _phase = injections.Count + 1;
                var recovery = await InjectAsync(fault, cancellationToken);
                injections.Add((fault, recovery));
                log($"  {fault.Name}: recovered in {(recovery is { } r ? $"{r.TotalSeconds:0.0} s" : "never")}");
                if (options.Sample is not null)
                {
                    log("  " + await options.Sample());
                }

                await Task.Delay(options.Settle, cancellationToken);
            }

            round = [.. faults.OrderBy(_ => random.Next())];
        }
        while (started.Elapsed < options.Duration);

        await stopCreating.CancelAsync();
        await Task.WhenAll(creators);
        _phase = injections.Count + 1;

        var acknowledged = _acknowledged.Keys.ToArray();
        var unfinished = await WaitUntilAllFinishedAsync(cancellationToken);
        var problems = await ProblemsAsync(ProblemsSql, acknowledged, cancellationToken);
        // Every job's history, the unacknowledged ones too, each job named once.
        var named = problems.Select(p => p.Id).ToHashSet();
        problems.AddRange((await ProblemsAsync(InvariantsSql, null, cancellationToken)).Where(p => named.Add(p.Id)));
        var histories = await HistoriesAsync([.. problems.Select(p => p.Id)], cancellationToken);
        var counts = await CountsAsync(cancellationToken);
        var apiCompleted = (await system.Api.GetFromJsonAsync<JsonElement>("/api/queues", cancellationToken)).GetProperty("completed").GetInt64();

        var outcomes = faults.Select(fault =>
        {
            var phases = injections.Select((injection, index) => (injection, Phase: index + 1)).Where(i => i.injection.Fault.Name == fault.Name).ToList();
            var phaseSet = phases.Select(p => p.Phase).ToHashSet();
            var jobs = _acknowledged.Where(a => phaseSet.Contains(a.Value)).Select(a => a.Key).ToHashSet();
            var broken = problems.Where(p => jobs.Contains(p.Id)).ToList();
            return new FaultOutcome(
                fault.Name,
                phases.Count,
                jobs.Count,
                broken.Count(p => !IsDuplicate(p.Problem)),
                broken.Count(p => IsDuplicate(p.Problem)),
                phases.Any(p => p.injection.Recovery is null) ? null : phases.Max(p => p.injection.Recovery));
        }).ToList();

        List<string> findings = [.. problems.Select(p => $"job {p.Id} ({Acknowledgement(p.Id)}): {p.Problem}{(histories.TryGetValue(p.Id, out var history) ? $" · {history}" : "")}")];
        if (unfinished > 0)
        {
            findings.Insert(0, $"{unfinished} jobs still unfinished {options.DrainTimeout.TotalSeconds:0} s after the load stopped");
        }

        return new CheckerReport(
            outcomes,
            findings,
            acknowledged.Length,
            apiCompleted,
            counts.Completed,
            counts.WithEffect,
            sessionsBefore,
            counts.Sessions,
            counts.BusySessions,
            started.Elapsed);
    }

    /// <summary>Injects the fault, holds and heals it, and measures until a job created after the injection completes; null if none did in time.</summary>
    private async Task<TimeSpan?> InjectAsync(CheckerFault fault, CancellationToken cancellationToken)
    {
        await fault.InjectAsync(system, cancellationToken);
        var injected = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.RecoveryTimeout + fault.Hold);
        var probe = ProbeAsync(deadline.Token);
        if (fault.HealAsync is not null)
        {
            await Task.Delay(fault.Hold, cancellationToken);
            await fault.HealAsync(system, cancellationToken);
        }

        try
        {
            await probe;
            return injected.Elapsed;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Creates one job (retrying with its idempotency key) and waits until it completes.</summary>
    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var id = await CreateOneAsync(Guid.NewGuid().ToString("N"), retryUntil: cancellationToken, cancellationToken);
        while (await StatusAsync(id!.Value, cancellationToken) != "completed")
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task CreateAsync(int creator, CancellationToken stop)
    {
        var random = new Random(creator);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (random.Next(2) == 0)
                {
                    await CreateBatchAsync(random, stop);
                }
                else
                {
                    await CreateOneAsync(Guid.NewGuid().ToString("N"), retryUntil: CancellationToken.None, stop, attempts: 3);
                }

                await Task.Delay(options.Pause, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>A batch is acknowledged whole (201) or not at all; an unanswered one is not retried.</summary>
    private async Task CreateBatchAsync(Random random, CancellationToken stop)
    {
        var jobs = Enumerable.Range(0, options.BatchSize).Select(_ => Job(random.Next(1, 6), idempotencyKey: null)).ToList();
        try
        {
            using var timeout = Timeout(stop);
            using var response = await system.Api.PostAsJsonAsync("/api/jobs/batch", new { jobs }, timeout.Token);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                var answer = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                foreach (var id in answer.GetProperty("ids").EnumerateArray())
                {
                    _acknowledged[id.GetGuid()] = _phase;
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !stop.IsCancellationRequested)
        {
            // Not acknowledged: the client does not know, and the checker does not count it.
        }
    }

    /// <summary>One job, with its idempotency key, tried up to <paramref name="attempts"/> times (or until <paramref name="retryUntil"/>); its id once acknowledged (201, or 200 for a repeat).</summary>
    private async Task<Guid?> CreateOneAsync(string idempotencyKey, CancellationToken retryUntil, CancellationToken stop, int attempts = int.MaxValue)
    {
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            try
            {
                using var timeout = Timeout(retryUntil.CanBeCanceled ? retryUntil : stop);
                using var response = await system.Api.PostAsJsonAsync("/api/jobs", Job(3, idempotencyKey), timeout.Token);
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                {
                    var id = (await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("id").GetGuid();
                    _acknowledged[id] = _phase;
                    return id;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !stop.IsCancellationRequested && !retryUntil.IsCancellationRequested)
            {
                // Unanswered: try again with the same key.
            }

            retryUntil.ThrowIfCancellationRequested();
            await Task.Delay(200, stop);
        }

        return null;
    }

    private static object Job(int priority, string? idempotencyKey) =>
        new { type = "record", priority, maxRetries = 25, idempotencyKey };

    private static CancellationTokenSource Timeout(CancellationToken token)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return timeout;
    }

    private async Task<string?> StatusAsync(Guid id, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = system.Database.CreateCommand("SELECT status::text FROM jobs WHERE id = $1");
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            return (string?)await command.ExecuteScalarAsync(cancellationToken);
        }
        catch (NpgsqlException)
        {
            return null; // PostgreSQL itself is down: look again
        }
    }

    private string Acknowledgement(Guid id) => _acknowledged.TryGetValue(id, out var phase) ? $"phase {phase}" : "not acknowledged";

    /// <summary>
    /// Waits for every job to finish, not only the acknowledged ones: jobs created whose answer was
    /// lost run too, and a count taken while they still ran would differ from the Api's taken after.
    /// Returns how many had not when the drain's time ran out: a broken promise of its own (a job
    /// stuck queued is missing from every count alike, so the counts would still agree).
    /// </summary>
    private async Task<long> WaitUntilAllFinishedAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        long unfinished;
        do
        {
            await using var command = system.Database.CreateCommand(
                "SELECT count(*) FROM jobs WHERE status::text NOT IN ('completed', 'dead_lettered', 'cancelled')");
            unfinished = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            if (unfinished == 0)
            {
                return 0;
            }

            await Task.Delay(250, cancellationToken);
        }
        while (deadline.Elapsed < options.DrainTimeout);

        log($"  {unfinished} jobs still unfinished after {options.DrainTimeout.TotalSeconds:0} s");
        return unfinished;
    }

    /// <summary>The jobs a problem query finds, each with what is wrong: of <paramref name="ids"/>, or of every job when null.</summary>
    private async Task<List<(Guid Id, string Problem)>> ProblemsAsync(string sql, Guid[]? ids, CancellationToken cancellationToken)
    {
        await using var command = system.Database.CreateCommand(sql);
        if (ids is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var problems = new List<(Guid, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            problems.Add((reader.GetGuid(0), reader.GetString(1)));
        }

        return problems;
    }

    /// <summary>The history of each job given, by id (see CheckerHistory.sql).</summary>
    private async Task<Dictionary<Guid, string>> HistoriesAsync(Guid[] ids, CancellationToken cancellationToken)
    {
        var histories = new Dictionary<Guid, string>();
        if (ids.Length == 0)
        {
            return histories;
        }

        await using var command = system.Database.CreateCommand(HistorySql);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            histories[reader.GetGuid(0)] = reader.GetString(1);
        }

        return histories;
    }

    private async Task<(long Completed, long WithEffect, long Sessions, long BusySessions)> CountsAsync(CancellationToken cancellationToken)
    {
        await using var command = system.Database.CreateCommand(CountsSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    private static bool IsDuplicate(string problem) => problem.StartsWith("completed ", StringComparison.Ordinal) || problem.StartsWith("its result", StringComparison.Ordinal);

    private static string Embedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded.");
        return new StreamReader(stream).ReadToEnd();
    }
}
