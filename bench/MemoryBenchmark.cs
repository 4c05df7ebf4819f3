using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using System.Globalization;
using System.Net.Http.Json;
using Npgsql;
using NpgsqlTypes;

using AspireJobs.Bench.Subjects;

namespace AspireJobs.Bench;

/// <summary>
/// Execution memory on the whole system (the AppHost, one worker, the indexer, the PostgreSQL
/// vector store):
/// <list type="number">
/// <item>indexer throughput: finished, failed attempts written straight into PostgreSQL (jobs,
/// executions and the finishing events the worker would write), then the time until the indexer
/// has stored a vector for each, once with failures that repeat (as real ones do: the cache
/// answers most) and once with every text different (the model runs for each);</item>
/// <item>search latency over 100,000 stored vectors: synthetic unit vectors copied into
/// <c>execution_vectors</c>, then <c>GET /api/jobs/{id}/similar</c> (the job's stored vector,
/// an exact scan of all of them, one query for the details) and
/// <c>POST /api/executions/search</c> (the same plus embedding the text) over HTTP, one at a time;</item>
/// <item>the drain of 10,000 jobs (one in ten failing with a message of its own, so the indexer has
/// work) with the indexer stopped and running (catching up on the stopped round's backlog), twice,
/// after a drain that warms the workers up: the workers' throughput should not move.</item>
/// </list>
/// Prints one table and keeps the figures under bench/results.
/// </summary>
public static class MemoryBenchmark
{
    public const int DefaultAttempts = 2_000;
    public const int DefaultVectors = 100_000;

    private const int Dimensions = 384;
    private const int DrainJobs = 10_000;
    private const int DrainPairs = 6;
    private const int DrainBatch = 1_000;
    private const int WarmUps = 20;
    private const int Requests = 300;
    private static readonly TimeSpan IndexTimeout = TimeSpan.FromMinutes(10);

    private static readonly string[] Faults =
    [
        "TimeoutException: payment gateway {0} did not answer within {1} s",
        "SocketException: connection refused by {0}:5432",
        "NullReferenceException: Object reference not set to an instance of an object in InvoiceRenderer line {1}",
        "KeyNotFoundException: customer {2} has no billing address",
        "IOException: disk full while writing /var/spool/export-{1}.csv",
        "HttpRequestException: 503 Service Unavailable from https://api.example/v{1}/orders",
        "UnauthorizedAccessException: token expired for tenant {2}",
        "InvalidOperationException: sequence contains no elements (batch {1})",
    ];

    private static readonly string[] Words =
    [
        "ledger", "invoice", "shipment", "carrier", "warehouse", "refund", "coupon", "catalog", "tenant", "webhook",
        "mailbox", "thumbnail", "archive", "report", "quota", "session", "payout", "forecast", "scanner", "printer",
    ];

    // Finished attempts as the worker leaves them: the job dead-lettered, its one execution
    // failed with $3[i], and the finishing event from running, stamped a few seconds ago so the
    // indexer takes it at once. $1 ids, $2 type, $3 errors.
    private const string InsertFinishedSql =
        """
        WITH input AS (
            SELECT id, error FROM unnest($1::uuid[], $3::text[]) AS i(id, error)
        ), jobs_in AS (
            INSERT INTO jobs (id, type, status, priority, effective_priority, error, attempts, failures, max_retries, timeout_ms,
                              worker_id, created_at, scheduled_at, started_at, completed_at, attempt_finished_at)
            SELECT id, $2, 'dead_lettered', 3, 3, error, 1, 1, 0, 30000, $4, now() - interval '10 seconds', now() - interval '10 seconds',
                   now() - interval '10 seconds', now() - interval '5 seconds', now() - interval '5 seconds'
            FROM input
        ), executions_in AS (
            INSERT INTO job_executions (job_id, attempt, worker_id, status, started_at, finished_at, error)
            SELECT id, 1, $4, 'failed', now() - interval '10 seconds', now() - interval '9.99 seconds', error FROM input
        )
        INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, at, detail)
        SELECT id, 'running', 'dead_lettered', 1, $4, now() - interval '5 seconds',
               jsonb_build_object('outcome', 'failed', 'error', error)
        FROM input
        """;

    // $1 jobs with one failed execution each, for the synthetic vectors (no event: the indexer never sees them).
    private const string InsertSearchedJobsSql =
        """
        WITH ids AS (
            SELECT (lpad(to_hex((extract(epoch FROM now()) * 1000)::bigint - 86400000), 12, '0') || '7000' || '8' || lpad(to_hex(i), 15, '0'))::uuid AS id, i
            FROM generate_series(1, $1) AS g(i)
        ), jobs_in AS (
            INSERT INTO jobs (id, type, status, priority, effective_priority, error, attempts, failures, max_retries, timeout_ms,
                              created_at, scheduled_at, started_at, completed_at, attempt_finished_at)
            SELECT id, 'bench.search', 'dead_lettered', 3, 3, 'IOException: synthetic ' || i, 1, 1, 0, 30000,
                   now() - interval '1 day', now() - interval '1 day', now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
            FROM ids
        )
        INSERT INTO job_executions (job_id, attempt, worker_id, status, started_at, finished_at, error)
        SELECT id, 1, gen_random_uuid(), 'failed', now() - interval '1 day', now() - interval '1 day', 'IOException: synthetic ' || i FROM ids
        """;

    public static async Task<int> RunAsync(int attempts, int vectors)
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var figures = new List<Measurement>();
        var rows = new List<(string Figure, string Value)> { ("date", $"{started:yyyy-MM-dd}") };

        await using var system = await BenchSystem.StartAsync(workers: 1);
        var random = new Random(2026_12_02);

        // 1. The indexer's throughput, with repeated failures and with every text new.
        var repeated = Enumerable.Range(0, attempts).Select(i => string.Format(CultureInfo.InvariantCulture, Faults[i % Faults.Length],
            $"10.{i % 7}.{i % 11}.{i % 13}", 10 + i % 50, Guid.NewGuid())).ToList();
        await IndexAsync(system, "bench.repeated", repeated, "repeated failures (8 kinds, ids and numbers differ)", figures, rows);
        var distinct = Enumerable.Range(0, attempts).Select(i =>
            $"InvalidOperationException: {Words[i % 20]} {Words[i / 20 % 20]} {Words[i / 400 % 20]} {Words[random.Next(20)]} step failed").ToList();
        await IndexAsync(system, "bench.distinct", distinct, "every text different", figures, rows);

        // 2. Search over the stored vectors.
        var load = Stopwatch.StartNew();
        await InsertVectorsAsync(system, vectors, random);
        var stored = await system.ScalarAsync<long>("SELECT count(*) FROM execution_vectors");
        Add(figures, rows, new($"{vectors:N0} synthetic vectors written (jobs, executions, COPY of vectors)", load.Elapsed.TotalSeconds, "s"), $" ({stored:N0} stored in all)");

        var apiBefore = ProcessFootprint.ResidentBytes(system.ApiProcessId);
        var someJob = await system.ScalarAsync<Guid>("SELECT job_id FROM execution_vectors WHERE job_type = 'bench.search' ORDER BY seq DESC LIMIT 1");
        var first = Stopwatch.StartNew();
        await GetAsync(system, $"/api/jobs/{someJob}/similar?limit=10");
        Add(figures, rows, new("first search after they were written (the Api loads its copy)", first.Elapsed.TotalMilliseconds, "ms"));

        var jobIds = new List<Guid>();
        await using (var command = system.Database.CreateCommand("SELECT job_id FROM execution_vectors WHERE job_type = 'bench.search' ORDER BY random() LIMIT $1"))
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = WarmUps + Requests });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                jobIds.Add(reader.GetGuid(0));
            }
        }

        var similar = await TimeAsync(jobIds, id => GetAsync(system, $"/api/jobs/{id}/similar?limit=10"));
        AddLatencies(figures, rows, $"GET /api/jobs/{{id}}/similar over {stored:N0} vectors, {Requests} in a row", similar);
        var texts = Enumerable.Range(0, WarmUps + Requests).Select(i => $"{Words[i % 20]} {Words[i / 20 % 20]} failed: TimeoutException after {i} ms").ToList();
        var search = await TimeAsync(texts, text => PostAsync(system, "/api/executions/search", new { text, limit = 10 }));
        AddLatencies(figures, rows, $"POST /api/executions/search over {stored:N0} vectors (text embedded), {Requests} in a row", search);
        var filtered = await TimeAsync(texts, text => PostAsync(system, "/api/executions/search", new { text, type = "bench.repeated", limit = 10 }));
        AddLatencies(figures, rows, $"the same, filtered to one type of {attempts:N0}", filtered);

        // What searching costs the Api: the model (loaded on the first text search) and its copy of the vectors.
        var apiAfter = ProcessFootprint.ResidentBytes(system.ApiProcessId);
        Add(figures, rows, new("Api memory (RSS) before any search", apiBefore / 1048576.0, "MiB"));
        Add(figures, rows, new($"Api memory (RSS) after the searches (model and {stored:N0} vectors loaded)", apiAfter / 1048576.0, "MiB"));

        // 3. The drain, with the indexer running, stopped, and running again with a backlog.
        var rss = IndexerMemory(system);
        Add(figures, rows, new("indexer memory (RSS) after embedding", rss / 1048576.0, "MiB"));
        // A first drain warms the workers up (their paths were never run: the attempts above
        // were written straight into PostgreSQL); then stopped and running, twice, alternately.
        await DrainAsync(system, random);
        // Pairs: stopped, then started and caught up, then running; the figure that counts is the
        // median of each pair's ratio (running ÷ stopped), which a machine that speeds up or slows
        // down between pairs moves less than it moves either median.
        var stopped = new List<double>();
        var running = new List<double>();
        for (var pair = 0; pair < DrainPairs; pair++)
        {
            await system.App.ResourceCommands.ExecuteCommandAsync("indexer", KnownResourceCommands.StopCommand);
            stopped.Add(await DrainAsync(system, random));
            await system.App.ResourceCommands.ExecuteCommandAsync("indexer", KnownResourceCommands.StartCommand);
            await CatchUpAsync(system);
            running.Add(await DrainAsync(system, random));
            Console.Error.WriteLine($"  drain pair {pair + 1}: stopped {stopped[^1]:N0}, running {running[^1]:N0} jobs/s");
        }

        var ratios = stopped.Zip(running, (off, on) => on / off).Order().ToList();
        AddDrain(figures, rows, $"indexer stopped, median of {DrainPairs}", Percentiles.Median(stopped), $" [{stopped.Min():N0}-{stopped.Max():N0}]");
        AddDrain(figures, rows, $"indexer running and embedding the drain's failures, median of {DrainPairs}", Percentiles.Median(running), $" [{running.Min():N0}-{running.Max():N0}]");
        Add(figures, rows, new($"drain with the indexer running ÷ stopped, median of {DrainPairs} pairs", Percentiles.Median(ratios), "ratio"), $" [{ratios[0]:0.00}-{ratios[^1]:0.00}]");

        var machine = ComparisonBenchmark.MachineDescription();
        var table = FigureTable.Markdown(rows);
        Console.WriteLine();
        Console.WriteLine($"Execution memory, {started:yyyy-MM-dd} · {machine}");
        Console.WriteLine(table);
        await FigureTable.KeepAsync("memory", figures, started, machine, table);
        Console.WriteLine($"(took {clock.Elapsed.TotalMinutes:0.0} minutes)");
        return 0;
    }

    /// <summary>Creates <see cref="DrainJobs"/> jobs (one in ten failing with a text of its own) and times them until all have finished.</summary>
    private static async Task<double> DrainAsync(BenchSystem system, Random random)
    {
        // Job ids are UUIDv7 from this machine's clock: every job of this drain sorts after this
        // one, and the count walks only their entries of the (status, id) index.
        var after = Guid.CreateVersion7();
        var drained = Stopwatch.StartNew();
        for (var start = 0; start < DrainJobs; start += DrainBatch)
        {
            var jobs = Enumerable.Range(start, DrainBatch).Select(i => i % 10 == 0
                ? (object)new { type = "fail", maxRetries = 0, payload = new { always = true, message = $"IOException: {Words[random.Next(20)]} {Words[random.Next(20)]} {Words[random.Next(20)]} unavailable" } }
                : new { type = "noop" }).ToList();
            using var response = await system.Http.PostAsJsonAsync(new Uri("/api/jobs/batch", UriKind.Relative), new { jobs });
            response.EnsureSuccessStatusCode();
        }

        while (await system.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status IN ('completed', 'dead_lettered') AND id > $1", after) < DrainJobs)
        {
            if (drained.Elapsed > IndexTimeout)
            {
                throw new TimeoutException($"{DrainJobs} jobs did not drain in {IndexTimeout}.");
            }

            await Task.Delay(50);
        }

        return DrainJobs / drained.Elapsed.TotalSeconds;
    }

    /// <summary>Waits until the indexer's saved cursor has passed every event written so far.</summary>
    private static async Task<TimeSpan> CatchUpAsync(BenchSystem system)
    {
        var waited = Stopwatch.StartNew();
        var last = await system.ScalarAsync<long>("SELECT coalesce(max(id), 0) FROM job_events");
        while (await system.ScalarAsync<long>("SELECT coalesce(max(last_event_id), 0) FROM job_event_cursors") < last)
        {
            if (waited.Elapsed > IndexTimeout)
            {
                throw new TimeoutException($"The indexer did not catch up in {IndexTimeout}.");
            }

            await Task.Delay(100);
        }

        return waited.Elapsed;
    }

    private static void AddDrain(List<Measurement> figures, List<(string, string)> rows, string how, double jobsPerSecond, string note = "") =>
        Add(figures, rows, new($"drain of {DrainJobs:N0} jobs (1 in 10 failing), {how}", jobsPerSecond, "jobs/s"), note);

    private static long IndexerMemory(BenchSystem system)
    {
        var status = File.ReadAllLines($"/proc/{system.IndexerProcessId}/status").FirstOrDefault(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
        return status is null ? 0 : long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static async Task IndexAsync(BenchSystem system, string type, List<string> errors, string what, List<Measurement> figures, List<(string, string)> rows)
    {
        var before = await system.ScalarAsync<long>("SELECT count(*) FROM execution_vectors");
        var indexed = Stopwatch.StartNew();
        await using (var command = system.Database.CreateCommand(InsertFinishedSql))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = errors.Select(_ => Guid.CreateVersion7()).ToArray() });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = type });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = errors.ToArray() });
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.NewGuid() });
            await command.ExecuteNonQueryAsync();
        }

        var written = indexed.Elapsed;
        while (await system.ScalarAsync<long>("SELECT count(*) FROM execution_vectors") < before + errors.Count)
        {
            if (indexed.Elapsed > IndexTimeout)
            {
                throw new TimeoutException($"The indexer stored {await system.ScalarAsync<long>("SELECT count(*) FROM execution_vectors") - before} of {errors.Count} vectors in {IndexTimeout}.");
            }

            await Task.Delay(50);
        }

        var seconds = (indexed.Elapsed - written).TotalSeconds;
        Add(figures, rows, new($"indexer, {errors.Count:N0} failed attempts, {what}", errors.Count / seconds, "attempts/s"),
            $" ({seconds:0.0} s after they were written)");
    }

    private static async Task InsertVectorsAsync(BenchSystem system, int count, Random random)
    {
        await using (var command = system.Database.CreateCommand(InsertSearchedJobsSql))
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
            command.CommandTimeout = 600;
            await command.ExecuteNonQueryAsync();
        }

        var ids = new List<Guid>(count);
        await using (var command = system.Database.CreateCommand("SELECT id FROM jobs WHERE type = 'bench.search' ORDER BY id"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetGuid(0));
            }
        }

        await using var connection = await system.Database.OpenConnectionAsync();
        await using var writer = await connection.BeginBinaryImportAsync("COPY execution_vectors (job_id, attempt, job_type, outcome, embedding) FROM STDIN (FORMAT BINARY)");
        var vector = new float[Dimensions];
        foreach (var id in ids)
        {
            var norm = 0.0;
            for (var i = 0; i < Dimensions; i++)
            {
                vector[i] = (float)(random.NextDouble() * 2 - 1);
                norm += vector[i] * vector[i];
            }

            var scale = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < Dimensions; i++)
            {
                vector[i] *= scale;
            }

            await writer.StartRowAsync();
            await writer.WriteAsync(id, NpgsqlDbType.Uuid);
            await writer.WriteAsync(1, NpgsqlDbType.Integer);
            await writer.WriteAsync("bench.search", NpgsqlDbType.Text);
            await writer.WriteAsync("dead_lettered", NpgsqlDbType.Text);
            await writer.WriteAsync(vector, NpgsqlDbType.Array | NpgsqlDbType.Real);
        }

        await writer.CompleteAsync();
    }

    private static async Task GetAsync(BenchSystem system, string path)
    {
        using var response = await system.Http.GetAsync(new Uri(path, UriKind.Relative));
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task PostAsync(BenchSystem system, string path, object body)
    {
        using var response = await system.Http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Runs the first <see cref="WarmUps"/> untimed, then times each of the rest; sorted milliseconds.</summary>
    private static async Task<List<double>> TimeAsync<T>(IReadOnlyList<T> inputs, Func<T, Task> request)
    {
        foreach (var input in inputs.Take(WarmUps))
        {
            await request(input);
        }

        var times = new List<double>(inputs.Count);
        foreach (var input in inputs.Skip(WarmUps))
        {
            var one = Stopwatch.StartNew();
            await request(input);
            times.Add(one.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times;
    }

    private static void AddLatencies(List<Measurement> figures, List<(string, string)> rows, string name, List<double> sorted)
    {
        var values = new[] { Percentiles.Of(sorted, 50), Percentiles.Of(sorted, 99), sorted[^1] };
        figures.Add(new($"{name}: p50", values[0], "ms"));
        figures.Add(new($"{name}: p99", values[1], "ms"));
        rows.Add(($"{name}: p50 / p99 / max (ms)", string.Join(" / ", values.Select(Format))));
        Console.Error.WriteLine($"  {rows[^1].Item1}: {rows[^1].Item2}");
    }

    private static void Add(List<Measurement> figures, List<(string, string)> rows, Measurement figure, string note = "")
    {
        figures.Add(figure);
        rows.Add(($"{figure.Name} ({figure.Unit})", Format(figure.Value) + note));
        Console.Error.WriteLine($"  {figure}{note}");
    }

    private static string Format(double value) =>
        value.ToString(value >= 100 ? "N0" : value >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);
}
