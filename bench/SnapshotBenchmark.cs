using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace AspireJobs.Bench;

/// <summary>
/// Snapshots, restores and point-in-time recovery on the whole system (one worker, through the
/// AppHost), with 100,000 jobs that have not finished (of a type no worker runs, so they stay),
/// each beside the plainest way to do the same by hand, timed in the same run: a snapshot beside
/// a COPY of the same rows out of PostgreSQL, an applied restore beside one UPDATE that requeues
/// the cancelled jobs, point-in-time recovery over 1,000,000 events beside one scan of the log.
/// </summary>
public static class SnapshotBenchmark
{
    private const int Jobs = 100_000;
    private const int EventRounds = 5; // each round cancels and requeues every job: 2 events a job
    private const int Repeats = 3;
    private const string JobType = "bench.parked";

    private const string ExportSql =
        """
        COPY (SELECT j.id, j.type, j.status, j.priority, j.effective_priority, j.attempts, j.failures, j.crashes,
                     j.max_retries, j.scheduled_at,
                     (SELECT array_agg(d.depends_on_id) FROM job_dependencies d WHERE d.job_id = j.id)
              FROM jobs j WHERE j.status IN ('waiting', 'scheduled', 'queued', 'running')) TO STDOUT
        """;

    private const string CancelAllSql =
        """
        WITH pending AS (
            SELECT id, status FROM jobs WHERE type = 'bench.parked' AND status IN ('queued', 'scheduled') FOR UPDATE
        ), cancelled AS (
            UPDATE jobs j SET status = 'cancelled', completed_at = now(), cancel_requested_at = now(), parked_at = NULL
            FROM pending p WHERE j.id = p.id
            RETURNING j.id, p.status AS from_status, j.attempts
        )
        INSERT INTO job_events (job_id, from_status, to_status, attempt, at)
        SELECT id, from_status, 'cancelled', attempts, now() FROM cancelled
        """;

    private const string RequeueAllSql =
        """
        WITH queued AS (
            UPDATE jobs SET status = 'queued', completed_at = NULL, cancel_requested_at = NULL
            WHERE type = 'bench.parked' AND status = 'cancelled'
            RETURNING id, attempts
        )
        INSERT INTO job_events (job_id, from_status, to_status, attempt, at)
        SELECT id, 'cancelled', 'queued', attempts, now() FROM queued
        """;

    // 1,000 priority changes, each logged as the Api logs one.
    private const string ReprioritiseSql =
        """
        WITH changed AS (
            UPDATE jobs j SET priority = 5, effective_priority = 5
            FROM (SELECT id, priority FROM jobs WHERE type = 'bench.parked' AND priority < 5 LIMIT 1000 FOR UPDATE) b
            WHERE j.id = b.id
            RETURNING j.id, j.status, j.attempts, b.priority AS from_priority
        )
        INSERT INTO job_events (job_id, from_status, to_status, attempt, at, detail)
        SELECT id, status, status, attempts, now(), jsonb_build_object('reason', 'priority changed', 'priority', 5, 'from', from_priority)
        FROM changed
        """;

    public static async Task RunAsync(Action<string> print)
    {
        await using var system = await BenchSystem.StartAsync(workers: 1);
        print($"Snapshots and recovery, {DateTime.UtcNow:yyyy-MM-dd}: {Jobs:N0} jobs not finished, {2 * EventRounds * Jobs:N0} events to replay");
        for (var batch = 0; batch < Jobs / 10_000; batch++)
        {
            var jobs = Enumerable.Range(0, 10_000).Select(i => new
            {
                type = JobType,
                priority = 1 + i % 5,
                payload = new { account = i },
                runAt = i % 10 == 0 ? DateTime.UtcNow.AddDays(1) : (DateTime?)null,
            });
            using var created = await system.Http.PostAsJsonAsync("/api/jobs/batch", new { jobs });
            created.EnsureSuccessStatusCode();
        }

        var rows = new List<(string What, string Ours, string Plain, string Ratio)>();

        // A full snapshot beside a COPY of the same rows.
        var (snapshotMs, snapshot) = await MedianAsync(() => PostAsync(system, "/api/snapshots", new { kind = "full" }));
        var (copyMs, copyBytes) = await MedianAsync(() => ExportAsync(system));
        var size = snapshot.GetProperty("sizeBytes").GetInt64();
        rows.Add(("full snapshot of 100,000: time", $"{snapshotMs:N0} ms", $"{copyMs:N0} ms (COPY out)", $"{snapshotMs / copyMs:0.00}"));
        rows.Add(("full snapshot of 100,000: size", $"{size / 1024.0:N0} KB", $"{copyBytes / 1024.0:N0} KB (COPY text)", $"{(double)size / copyBytes:0.00}"));

        // An incremental one after 1,000 changes, on a base taken when the creates were over (an
        // incremental one also reads the jobs changed in the 10 s before its base).
        await Task.Delay(TimeSpan.FromSeconds(11));
        var baseSnapshot = await PostAsync(system, "/api/snapshots", new { kind = "full" });
        await ExecuteAsync(system, ReprioritiseSql);
        var clock = Stopwatch.StartNew();
        var incremental = await PostAsync(system, "/api/snapshots", new { kind = "incremental" });
        rows.Add(("incremental snapshot after 1,000 changes", $"{clock.Elapsed.TotalMilliseconds:N0} ms, {incremental.GetProperty("sizeBytes").GetInt64() / 1024.0:N0} KB",
            $"{incremental.GetProperty("jobCount").GetInt32():N0} records", ""));

        // Every job cancelled by mistake: the restore's dry run, then applied, beside one UPDATE.
        await ExecuteAsync(system, CancelAllSql);
        var restorePath = $"/api/snapshots/{baseSnapshot.GetProperty("id").GetGuid()}/restore";
        var (dryRunMs, dryRun) = await MedianAsync(() => PostAsync(system, restorePath, new { mode = "newest-wins" }));
        clock.Restart();
        var applied = await PostAsync(system, restorePath, new { mode = "newest-wins", apply = true });
        var applyMs = clock.Elapsed.TotalMilliseconds;
        await ExecuteAsync(system, CancelAllSql);
        clock.Restart();
        await ExecuteAsync(system, RequeueAllSql);
        var updateMs = clock.Elapsed.TotalMilliseconds;
        rows.Add(("restore 100,000: dry run", $"{dryRunMs:N0} ms ({dryRun.GetProperty("changes").GetInt32():N0} changes)", $"{updateMs:N0} ms (one UPDATE)", $"{dryRunMs / updateMs:0.00}"));
        rows.Add(("restore 100,000: applied (with its undo snapshot)", $"{applyMs:N0} ms ({applied.GetProperty("restored").GetInt32():N0} restored)", $"{updateMs:N0} ms (one UPDATE)", $"{applyMs / updateMs:0.00}"));

        // Point-in-time recovery to before 1,000,000 events.
        var at = await system.ScalarAsync<DateTime>("SELECT clock_timestamp()");
        await Task.Delay(10);
        for (var round = 0; round < EventRounds; round++)
        {
            await ExecuteAsync(system, CancelAllSql);
            await ExecuteAsync(system, RequeueAllSql);
        }

        await ExecuteAsync(system, CancelAllSql);
        var (scanMs, _) = await MedianAsync(async () => (await system.ScalarAsync<long>("SELECT count(*) FROM job_events WHERE at > $1", at), 0));
        var (pitrDryMs, pitr) = await MedianAsync(() => PostAsync(system, "/api/recovery/point-in-time", new { at }));
        clock.Restart();
        var pitrApplied = await PostAsync(system, "/api/recovery/point-in-time", new { at, apply = true });
        var pitrApplyMs = clock.Elapsed.TotalMilliseconds;
        var events = await system.ScalarAsync<long>("SELECT count(*) FROM job_events WHERE at > $1", at);
        rows.Add(($"point-in-time over {events:N0} events: dry run", $"{pitrDryMs:N0} ms ({pitr.GetProperty("changes").GetInt32():N0} changes)", $"{scanMs:N0} ms (count the events)", $"{pitrDryMs / scanMs:0.00}"));
        rows.Add(($"point-in-time over {events:N0} events: applied", $"{pitrApplyMs:N0} ms ({pitrApplied.GetProperty("restored").GetInt32():N0} restored)", $"{scanMs:N0} ms (count the events)", $"{pitrApplyMs / scanMs:0.00}"));

        print("| figure | AspireJobs | by hand, same run | ratio |");
        print("| --- | ---: | ---: | ---: |");
        foreach (var (what, ours, plain, ratio) in rows)
        {
            print($"| {what} | {ours} | {plain} | {ratio} |");
        }
    }

    private static async Task<(double Ms, T Result)> MedianAsync<T>(Func<Task<T>> run)
    {
        var runs = new List<(double Ms, T Result)>();
        for (var i = 0; i < Repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            var result = await run();
            runs.Add((clock.Elapsed.TotalMilliseconds, result));
        }

        return runs.OrderBy(r => r.Ms).ElementAt(Repeats / 2);
    }

    private static async Task<JsonElement> PostAsync(BenchSystem system, string path, object body)
    {
        using var response = await system.Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<long> ExportAsync(BenchSystem system)
    {
        await using var connection = await system.Database.OpenConnectionAsync();
        using var reader = await connection.BeginTextExportAsync(ExportSql);
        var buffer = new char[65_536];
        long chars = 0;
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            chars += read;
        }

        return chars;
    }

    private static async Task ExecuteAsync(BenchSystem system, string sql)
    {
        await using var command = system.Database.CreateCommand(sql);
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
    }
}
