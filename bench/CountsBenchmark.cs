using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AspireJobs.Bench.Subjects;

namespace AspireJobs.Bench;

/// <summary>
/// The counts per state (<c>GET /api/queues</c>, and the dashboard's overview when the Api serves
/// it) with millions of jobs retained: the whole system through the AppHost (one worker), the
/// jobs inserted straight into PostgreSQL in chunks, the kept counts checked against a scan of
/// every job, then timed idle, beside that scan (the way the counts were read before they were
/// kept), and while creates run. Prints one table and keeps the figures under bench/results.
/// </summary>
public static partial class CountsBenchmark
{
    public const int DefaultJobs = 10_000_000;

    // One statement per chunk: the count triggers read each statement's new rows from its
    // transition table, which should stay a size PostgreSQL handles easily.
    private const int ChunkSize = 500_000;

    // Created over the last 20 days, inside the 30 days' retention: the sweeper deletes none.
    private static readonly TimeSpan RetainedSpan = TimeSpan.FromDays(20);

    private const int WarmUpRequests = 200;
    private const int Requests = 2_000;
    private const int ScanWarmUps = 2; // the first reads the table into memory
    private const int Scans = 20; // seconds each with millions of jobs
    private const int DashboardWarmUps = 50;
    private const int DashboardRequests = 500;
    private const int BrowserLoads = 20;
    private const int BrowserUpdates = 20;
    private const int CreatesPerSecond = 500;
    private static readonly TimeSpan FoldTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LedgerSampleInterval = TimeSpan.FromMilliseconds(250);

    // The order of the columns of both count queries, as the dashboard names its elements.
    private static readonly string[] States =
        ["queued-high", "queued-medium", "queued-low", "scheduled", "waiting", "running", "completed", "dead-lettered", "cancelled"];

    // How the counts were read before they were kept: a scan of every job on each request.
    private const string ScanSql =
        """
        SELECT count(*) FILTER (WHERE status = 'queued' AND effective_priority >= 4),
               count(*) FILTER (WHERE status = 'queued' AND effective_priority BETWEEN 2 AND 3),
               count(*) FILTER (WHERE status = 'queued' AND effective_priority = 1),
               count(*) FILTER (WHERE status = 'scheduled'),
               count(*) FILTER (WHERE status = 'waiting'),
               count(*) FILTER (WHERE status = 'running'),
               count(*) FILTER (WHERE status = 'completed'),
               count(*) FILTER (WHERE status = 'dead_lettered'),
               count(*) FILTER (WHERE status = 'cancelled')
        FROM jobs
        """;

    // The id of the i-th retained job ($3 the first one's Unix milliseconds, $4 milliseconds
    // per job): a UUIDv7 of its creation millisecond with i in its low bits, so ids sort by time
    // as retention and paging expect, and never collide.
    private static string IdOf(string i) =>
        $"(lpad(to_hex($3 + (({i}) * $4)::bigint), 12, '0') || '7000' || '8' || lpad(to_hex({i}), 15, '0'))::uuid";

    // Jobs $1 to $2 as they would be after running: of every 10,000, 9,600 completed, 200
    // dead-lettered, 100 cancelled, 50 scheduled a month ahead, 40 waiting for one of those, and
    // 10 queued but parked (a type no worker runs, so none is dispatched while the counts are
    // compared). Priorities 1-5 in turn. $5 is the worker that ran them.
    private static readonly string InsertJobsSql =
        $"""
        INSERT INTO jobs (id, type, status, priority, effective_priority, payload, error, attempts, failures,
                          max_retries, timeout_ms, worker_id, parked_at, created_at, scheduled_at, started_at,
                          completed_at, attempt_finished_at, dependencies_pending, has_dependents)
        SELECT {IdOf("i")},
               CASE WHEN j.status = 'queued' THEN 'reports.monthly'
                    ELSE (ARRAY['email.send', 'invoice.render', 'report.build', 'webhook.deliver'])[1 + i % 4] END,
               j.status, j.priority, j.priority,
               json_build_object('account', i % 100000),
               CASE j.status WHEN 'dead_lettered' THEN 'fail: attempt 4 fails as asked.'
                             WHEN 'queued' THEN 'No live worker runs job type ''reports.monthly''. The job waits until one registers.' END,
               CASE j.status WHEN 'completed' THEN 1 WHEN 'dead_lettered' THEN 4 ELSE 0 END,
               CASE j.status WHEN 'dead_lettered' THEN 4 ELSE 0 END,
               3, 30000,
               CASE WHEN j.ran THEN $5::uuid END,
               CASE WHEN j.status = 'queued' THEN j.created_at END,
               j.created_at,
               CASE WHEN j.status = 'scheduled' THEN now() + interval '30 days' + (i % 1000) * interval '1 minute' ELSE j.created_at END,
               CASE WHEN j.ran THEN j.created_at + interval '5 milliseconds' END,
               CASE WHEN j.ran THEN j.created_at + interval '10 milliseconds'
                    WHEN j.status = 'cancelled' THEN j.created_at + interval '1 second' END,
               CASE WHEN j.ran THEN j.created_at + interval '10 milliseconds' END,
               CASE WHEN j.status = 'waiting' THEN 1 ELSE 0 END,
               i % 10000 BETWEEN 9900 AND 9939
        FROM generate_series($1::bigint, $2::bigint) AS g(i)
        CROSS JOIN LATERAL (
            SELECT CASE WHEN i % 10000 < 9600 THEN 'completed'
                        WHEN i % 10000 < 9800 THEN 'dead_lettered'
                        WHEN i % 10000 < 9900 THEN 'cancelled'
                        WHEN i % 10000 < 9950 THEN 'scheduled'
                        WHEN i % 10000 < 9990 THEN 'waiting'
                        ELSE 'queued' END AS status,
                   i % 10000 < 9800 AS ran,
                   (1 + i % 5)::smallint AS priority,
                   to_timestamp(($3 + (i * $4)::bigint)::float8 / 1000) AS created_at) AS j
        """;

    // Each waiting job depends on the scheduled job 50 before it (in the same 10,000, so in the
    // same chunk, and of the same priority).
    private static readonly string InsertDependenciesSql =
        $"""
        INSERT INTO job_dependencies (job_id, depends_on_id)
        SELECT {IdOf("i")}, {IdOf("i - 50")}
        FROM generate_series($1::bigint, $2::bigint) AS g(i)
        WHERE i % 10000 BETWEEN 9950 AND 9989
        """;

    /// <returns>0, or 1 when the kept counts differ from the scan.</returns>
    public static async Task<int> RunAsync(int jobs)
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var figures = new List<Measurement>();
        var rows = new List<(string Figure, string Value)>
        {
            ("date", $"{started:yyyy-MM-dd}"),
            ("jobs retained", Format(jobs, "N0")),
        };

        await using var system = await BenchSystem.StartAsync(workers: 1, new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            // The reconciler's scan of every job (every 15 minutes by default) would land inside
            // some runs' timings and not others'; this benchmark compares the counts with the
            // same scan itself.
            ["healthmonitor"] = new Dictionary<string, string> { ["HealthMonitor__CountReconcileInterval"] = "1.00:00:00" },
        });

        var load = Stopwatch.StartNew();
        await LoadAsync(system, jobs);
        Add(figures, rows, new($"load of {jobs:N0} jobs, {ChunkSize:N0} per statement", load.Elapsed.TotalSeconds, "s"), $" ({jobs / load.Elapsed.TotalSeconds:N0} jobs/s)");

        // Waited for before the vacuum, so the time says how far the fold lags the last chunk.
        var fold = Stopwatch.StartNew();
        while (await system.ScalarAsync<long>("SELECT count(*) FROM job_count_changes") > 0 && fold.Elapsed < FoldTimeout)
        {
            await Task.Delay(100);
        }

        var unfolded = await system.ScalarAsync<long>("SELECT count(*) FROM job_count_changes");
        Add(figures, rows, new("ledger emptied by the fold after the last chunk", fold.Elapsed.TotalSeconds, "s"), unfolded > 0 ? $" (not emptied: {unfolded:N0} rows left)" : "");

        var vacuum = Stopwatch.StartNew();
        await ExecuteAsync(system, "VACUUM ANALYZE jobs");
        Add(figures, rows, new("VACUUM ANALYZE jobs", vacuum.Elapsed.TotalSeconds, "s"));

        var kept = await ApiCountsAsync(system);
        var scanned = await ScanAsync(system);
        if (!kept.SequenceEqual(scanned) || scanned.Sum() != jobs)
        {
            Console.WriteLine($"Kept counts differ from the scan of jobs ({jobs:N0} inserted):");
            Console.WriteLine($"  GET /api/queues  {Describe(kept)}");
            Console.WriteLine($"  scan of jobs     {Describe(scanned)}");
            return 1;
        }

        Console.Error.WriteLine($"  GET /api/queues = scan of jobs: {Describe(kept)}");

        await TimeAsync(WarmUpRequests, () => GetAsync(system, "/api/queues"));
        var idle = await TimeAsync(Requests, () => GetAsync(system, "/api/queues"));
        AddLatencies(figures, rows, $"GET /api/queues, idle, {Requests:N0} in a row", idle, withMax: true);

        await TimeAsync(ScanWarmUps, () => ScanAsync(system));
        var scans = await TimeAsync(Scans, () => ScanAsync(system));
        AddLatencies(figures, rows, $"scan of jobs (the counts before), {Scans} in a row", scans, withMax: false);

        await MeasureDashboardAsync(system, kept, figures, rows);

        var (loaded, createRate, ledgerPeak) = await UnderLoadAsync(system);
        AddLatencies(figures, rows, $"GET /api/queues, {CreatesPerSecond} creates/s, {Requests:N0} in a row", loaded, withMax: true);
        Add(figures, rows, new("creates meanwhile", createRate, "jobs/s"));
        Add(figures, rows, new("ledger rows not folded yet, peak meanwhile", ledgerPeak, "rows"));

        var ratio = Percentiles.Of(scans, 50) / Percentiles.Of(idle, 50);
        figures.Add(new("scan p50 ÷ GET /api/queues p50, idle", ratio, "×"));
        rows.Add(("scan p50 ÷ GET /api/queues p50, idle", Format(ratio, ratio >= 100 ? "N0" : "0.0") + "×"));

        var machine = ComparisonBenchmark.MachineDescription();
        var table = FigureTable.Markdown(rows);
        Console.WriteLine();
        Console.WriteLine($"Job counts, {started:yyyy-MM-dd} · {machine} · {jobs:N0} jobs retained");
        Console.WriteLine(table);
        await FigureTable.KeepAsync("counts", figures, started, machine, table, new Dictionary<string, object> { ["jobs"] = jobs });
        Console.WriteLine($"(took {clock.Elapsed.TotalMinutes:0.0} minutes)");
        return 0;
    }

    private static async Task LoadAsync(BenchSystem system, int jobs)
    {
        var firstMilliseconds = (DateTimeOffset.UtcNow - RetainedSpan).ToUnixTimeMilliseconds();
        var millisecondsPerJob = RetainedSpan.TotalMilliseconds / jobs;
        var worker = Guid.CreateVersion7();
        for (long first = 0; first < jobs; first += ChunkSize)
        {
            var last = Math.Min(first + ChunkSize, jobs) - 1;
            var chunk = Stopwatch.StartNew();
            await ExecuteAsync(system, InsertJobsSql, first, last, firstMilliseconds, millisecondsPerJob, worker);
            await ExecuteAsync(system, InsertDependenciesSql, first, last, firstMilliseconds, millisecondsPerJob);
            Console.Error.WriteLine($"  {last + 1:N0} of {jobs:N0} jobs inserted; this chunk {chunk.Elapsed.TotalSeconds:0.0} s");
        }
    }

    /// <summary>
    /// The overview page, when the Api serves it: its HTML timed (its counts compared once with the
    /// Api's when it carries them), then the page in chromium.
    /// </summary>
    private static async Task MeasureDashboardAsync(BenchSystem system, long[] kept, List<Measurement> figures, List<(string, string)> rows)
    {
        const string Figure = "GET /dashboard (the page's HTML; the overview renders over its circuit)";
        using var first = await system.Http.GetAsync("/dashboard");
        if (first.StatusCode != HttpStatusCode.OK)
        {
            var answer = first.StatusCode == HttpStatusCode.NotFound ? "dashboard not served" : $"dashboard answered {(int)first.StatusCode}";
            Console.Error.WriteLine($"  {answer}");
            rows.Add((Figure, answer));
            return;
        }

        var html = await first.Content.ReadAsStringAsync();
        var shown = DashboardCounts(html);
        if (!html.Contains("data-testid=\"interactive\"", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("  /dashboard answered 200 without the overview's markers; timed all the same");
        }
        else if (shown is null)
        {
            Console.Error.WriteLine("  the dashboard's server-rendered HTML carries no counts (they may come once it is live)");
        }
        else if (!shown.SequenceEqual(kept))
        {
            Console.Error.WriteLine($"  the dashboard shows other counts than GET /api/queues:\n    dashboard        {Describe(shown)}\n    GET /api/queues  {Describe(kept)}");
        }

        await TimeAsync(DashboardWarmUps, () => GetAsync(system, "/dashboard"));
        var pages = await TimeAsync(DashboardRequests, () => GetAsync(system, "/dashboard"));
        AddLatencies(figures, rows, $"{Figure}, idle, {DashboardRequests} in a row", pages, withMax: false);

        if (await DashboardInBrowser.MeasureAsync(system.Http.BaseAddress!, system.ApiKey, system.Http, BrowserLoads, BrowserUpdates) is var (loads, updates))
        {
            AddLatencies(figures, rows, $"overview in chromium, page load until live, {BrowserLoads} fresh pages", loads, withMax: true);
            AddLatencies(figures, rows, $"overview in chromium, job created → shown without reload, {BrowserUpdates} times", updates, withMax: true);
        }
        else
        {
            rows.Add(("overview in chromium", $"no chromium at {DashboardInBrowser.ChromiumPath}"));
        }
    }

    /// <summary>The nine counts the overview's elements show, in <see cref="States"/> order; null unless all are there as integers.</summary>
    private static long[]? DashboardCounts(string html)
    {
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match match in CountElement().Matches(html))
        {
            found[match.Groups["state"].Value] = long.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture);
        }

        return States.All(found.ContainsKey) ? [.. States.Select(s => found[s])] : null;
    }

    [GeneratedRegex("""data-testid=["']count-(?<state>[a-z-]+)["'][^>]*>\s*(?<count>\d+)\s*<""")]
    private static partial Regex CountElement();

    /// <summary>
    /// Sequential GETs of /api/queues while creates of noop jobs arrive at a steady rate (in
    /// one-second schedules until the GETs are done) and the worker runs them; the ledger of
    /// count changes sampled meanwhile.
    /// </summary>
    private static async Task<(List<double> Latencies, double CreateRate, long LedgerPeak)> UnderLoadAsync(BenchSystem system)
    {
        using var done = new CancellationTokenSource();
        var creates = Task.Run(async () =>
        {
            var created = 0;
            var clock = Stopwatch.StartNew();
            while (!done.IsCancellationRequested)
            {
                created += (await SteadyRate.SendAsync(CreatesPerSecond, TimeSpan.FromSeconds(1), async () =>
                {
                    using var response = await system.Http.PostAsJsonAsync("/api/jobs", new { type = "noop" });
                    response.EnsureSuccessStatusCode();
                    return true;
                })).Length;
            }

            return created / clock.Elapsed.TotalSeconds;
        });
        var ledger = Task.Run(async () =>
        {
            var peak = 0L;
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, await system.ScalarAsync<long>("SELECT count(*) FROM job_count_changes"));
                await Task.Delay(LedgerSampleInterval);
            }

            return peak;
        });

        await Task.Delay(TimeSpan.FromSeconds(1)); // the load under way first
        var latencies = await TimeAsync(Requests, () => GetAsync(system, "/api/queues"));
        await done.CancelAsync();
        return (latencies, await creates, await ledger);
    }

    private static async Task GetAsync(BenchSystem system, string path)
    {
        using var response = await system.Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<long[]> ApiCountsAsync(BenchSystem system)
    {
        var counts = await system.Http.GetFromJsonAsync<JsonElement>("/api/queues");
        var queued = counts.GetProperty("queued");
        return
        [
            queued.GetProperty("high").GetInt64(), queued.GetProperty("medium").GetInt64(), queued.GetProperty("low").GetInt64(),
            counts.GetProperty("scheduled").GetInt64(), counts.GetProperty("waiting").GetInt64(), counts.GetProperty("running").GetInt64(),
            counts.GetProperty("completed").GetInt64(), counts.GetProperty("deadLettered").GetInt64(), counts.GetProperty("cancelled").GetInt64(),
        ];
    }

    private static async Task<long[]> ScanAsync(BenchSystem system)
    {
        await using var command = system.Database.CreateCommand(ScanSql);
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return [.. Enumerable.Range(0, States.Length).Select(reader.GetInt64)];
    }

    private static async Task ExecuteAsync(BenchSystem system, string sql, params object[] parameters)
    {
        await using var command = system.Database.CreateCommand(sql);
        command.CommandTimeout = 0; // a chunk, or the vacuum, may take minutes
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Milliseconds of each of <paramref name="times"/> calls in a row, sorted.</summary>
    private static async Task<List<double>> TimeAsync(int times, Func<Task> call)
    {
        var milliseconds = new List<double>(times);
        for (var i = 0; i < times; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            milliseconds.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        milliseconds.Sort();
        return milliseconds;
    }

    private static void AddLatencies(List<Measurement> figures, List<(string, string)> rows, string name, List<double> sorted, bool withMax)
    {
        figures.Add(new($"{name}: p50", Percentiles.Of(sorted, 50), "ms"));
        figures.Add(new($"{name}: p99", Percentiles.Of(sorted, 99), "ms"));
        if (withMax)
        {
            figures.Add(new($"{name}: max", sorted[^1], "ms"));
        }

        double[] values = withMax ? [Percentiles.Of(sorted, 50), Percentiles.Of(sorted, 99), sorted[^1]] : [Percentiles.Of(sorted, 50), Percentiles.Of(sorted, 99)];
        rows.Add(($"{name}: p50 / p99{(withMax ? " / max" : "")} (ms)", string.Join(" / ", values.Select(Format))));
        Console.Error.WriteLine($"  {rows[^1].Item1}: {rows[^1].Item2}");
    }

    private static void Add(List<Measurement> figures, List<(string, string)> rows, Measurement figure, string note = "")
    {
        figures.Add(figure);
        rows.Add(($"{figure.Name} ({figure.Unit})", Format(figure.Value) + note));
        Console.Error.WriteLine($"  {figure}{note}");
    }

    private static string Describe(long[] counts) => string.Join(", ", States.Zip(counts, (state, count) => $"{state} {count:N0}"));

    private static string Format(double value) =>
        Format(value, value >= 100 ? "N0" : value >= 10 ? "0.0" : "0.00");

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
