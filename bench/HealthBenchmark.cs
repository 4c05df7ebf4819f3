using System.Globalization;
using System.Net.Http.Json;

namespace AspireJobs.Bench;

/// <summary>
/// The degradation harness, long: the health monitor with its default settings watches a fleet of
/// three workers under a steady light load (10 % of the jobs fail on any worker, 10 % keep a core
/// busy for 100 ms). The monitor recommends but does not act, so a sick worker lives on to show
/// whether the recommendation came before its failure; a recommendation is what the automatic
/// actions follow, so one for a healthy worker counts as an action on it. Episode after
/// episode, one worker (a clone of a replica, so it can carry settings of its own) runs healthy
/// for <see cref="Warmup"/> while the monitor learns its baseline, then degrades in a named way
/// (<see cref="Degradation"/>) for <see cref="Sick"/>; control episodes degrade nothing while the
/// whole fleet sees trouble. Measured: precision, recall and delay of the anomalies; the lead
/// time of drain/replace recommendations before the score crosses the failure threshold; false
/// alarms per worker-hour; drain/replace recommended for healthy workers; and how well the failure
/// probability is calibrated.
/// </summary>
public static class HealthBenchmark
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(45);
    /// <summary>How long a worker stays sick, unless its degradation needs longer to show.</summary>
    private static readonly TimeSpan Sick = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Tail = TimeSpan.FromSeconds(30);

    /// <summary>Short enough that an episode shows whether a prediction came true; the default is 10 minutes.</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromMinutes(2);
    private const double FailureThreshold = 0.3;

    /// <summary>The share of the steady load's jobs that fail, as the episode under way asks.</summary>
    private sealed class LoadMix
    {
        public double FailingShare { get; set; } = Degradation.UsualFailingShare;
    }

    private sealed record Episode(
        Degradation Kind, DateTimeOffset Start, DateTimeOffset Onset, DateTimeOffset End, Guid Sick, IReadOnlyList<Guid> Healthy,
        IReadOnlyList<(Guid Worker, string Metric, DateTimeOffset At)> Anomalies, DateTimeOffset? FirstRecommendation, DateTimeOffset? FirstCrossing,
        int HealthyRecommended)
    {
        public IEnumerable<(Guid Worker, string Metric, DateTimeOffset At)> TruePositives =>
            Kind.IsControl ? [] : Anomalies.Where(a => a.Worker == Sick && a.At >= Onset);

        public int FalsePositives => Anomalies.Count - TruePositives.Count();

        public double WorkerHours => (Healthy.Count + 1) * (End - Start).TotalHours;
    }

    public static async Task<int> RunAsync(int rounds, IReadOnlyList<string>? only)
    {
        var kinds = Degradation.All.Where(k => only is null || only.Contains(k.Name)).ToList();
        Console.WriteLine($"Health monitor against degradations, {DateTime.UtcNow:yyyy-MM-dd}: {rounds} episode(s) of each of {string.Join(", ", kinds.Select(k => k.Name))}; "
            + $"monitor defaults but a {Horizon.TotalMinutes:0}-minute prediction horizon");
        await using var system = await BenchSystem.StartAsync(2, new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["healthmonitor"] = new Dictionary<string, string>
            {
                ["HealthMonitor__PredictionHorizon"] = Horizon.ToString(),
                ["HealthMonitor__AutoDrain"] = "false",
                ["HealthMonitor__AutoEvacuate"] = "false",
            },
        });
        using var stopLoad = new CancellationTokenSource();
        var mix = new LoadMix();
        var load = LoadAsync(system, mix, stopLoad.Token);
        var started = DateTimeOffset.UtcNow;
        var episodes = new List<Episode>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var kind in kinds)
            {
                var episode = await RunEpisodeAsync(system, kind, mix);
                episodes.Add(episode);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {kind.Name,-14} anomalies on the sick worker after onset {episode.TruePositives.Count()}, false {episode.FalsePositives}; drain/replace recommended for healthy workers {episode.HealthyRecommended}"));
            }
        }

        await stopLoad.CancelAsync();
        await load;
        PrintDetection(episodes);
        await PrintCalibrationAsync(system, started);
        return 0;
    }

    private static async Task<Episode> RunEpisodeAsync(BenchSystem system, Degradation kind, LoadMix mix)
    {
        var start = DateTimeOffset.UtcNow;
        var settings = new Dictionary<string, string>(kind.Drill) { ["Worker__Drill__StartAfter"] = Warmup.ToString() };
        await using var sick = ClonedWorker.Start(system.WorkerProcessIds[0], $"sick-{kind.Name}", settings);
        var sickId = await WorkerOfAsync(system, sick.ProcessId);
        var healthy = await system.QueryAsync("SELECT id FROM workers WHERE status = 'active' AND id <> $1", r => r.GetGuid(0), sickId);

        await Task.Delay(start + Warmup - DateTimeOffset.UtcNow);
        var onset = DateTimeOffset.UtcNow;
        mix.FailingShare = kind.FailingShare;
        using (var sickFor = new CancellationTokenSource(kind.SickFor ?? Sick))
        {
            try
            {
                await kind.ActAsync(new DegradationScene(sick.ProcessId, system.Database), sickFor.Token);
                await Task.Delay(Timeout.InfiniteTimeSpan, sickFor.Token);
            }
            catch (OperationCanceledException)
            {
                // The sick period is over.
            }
        }

        mix.FailingShare = Degradation.UsualFailingShare;
        await Task.Delay(Tail);
        var end = DateTimeOffset.UtcNow;

        var anomalies = await system.QueryAsync("SELECT worker_id, metric, detected_at FROM health_anomalies WHERE detected_at BETWEEN $1 AND $2",
            r => (r.GetGuid(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2)), start, end);
        var samples = await system.QueryAsync("SELECT at, health_score, recommended_action FROM worker_health_logs WHERE worker_id = $1 AND at >= $2 ORDER BY at",
            r => (At: r.GetFieldValue<DateTimeOffset>(0), Score: (double)r.GetFloat(1), Action: r.GetString(2)), sickId, onset);
        var recommendedForHealthy = await system.QueryAsync(
            "SELECT DISTINCT worker_id FROM worker_health_logs WHERE worker_id = ANY($1) AND at BETWEEN $2 AND $3 AND recommended_action IN ('drain', 'replace')",
            r => r.GetGuid(0), healthy.ToArray(), start, end);
        return new Episode(kind, start, onset, end, sickId, healthy, anomalies,
            samples.FirstOrDefault(s => s.Action is "drain" or "replace").At is var recommended && recommended != default ? recommended : null,
            samples.FirstOrDefault(s => s.Score < FailureThreshold).At is var crossed && crossed != default ? crossed : null,
            recommendedForHealthy.Count);
    }

    private static void PrintDetection(List<Episode> episodes)
    {
        Console.WriteLine();
        Console.WriteLine("| degradation | episodes | recall | precision | delay to first anomaly, median (s) | metrics flagged on the sick worker | drain/replace recommended · score under 0.3 · lead before the crossing, mean (s) | false alarms / worker-hour | healthy workers recommended drain/replace |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |");
        foreach (var group in episodes.GroupBy(e => e.Kind.Name))
        {
            var list = group.ToList();
            var kind = list[0].Kind;
            var truePositives = list.Sum(e => e.TruePositives.Count());
            var falsePositives = list.Sum(e => e.FalsePositives);
            var detected = list.Count(e => e.TruePositives.Any());
            var delays = list.Where(e => e.TruePositives.Any()).Select(e => (e.TruePositives.Min(a => a.At) - e.Onset).TotalSeconds).Order().ToList();
            var metrics = string.Join(", ", list.SelectMany(e => e.TruePositives).Select(a => a.Metric).Distinct().Order());
            var recommended = list.Count(e => e.FirstRecommendation is not null);
            var crossed = list.Count(e => e.FirstCrossing is not null);
            // Negative: the recommendation came after the score had crossed.
            var leads = list.Where(e => e.FirstRecommendation is not null && e.FirstCrossing is not null).Select(e => (e.FirstCrossing!.Value - e.FirstRecommendation!.Value).TotalSeconds).ToList();
            var falseRate = falsePositives / list.Sum(e => e.WorkerHours);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {kind.Name}: {kind.Description} | {list.Count} | {(kind.IsControl ? "–" : $"{detected}/{list.Count}")} | "
                + $"{(kind.IsControl ? "–" : truePositives + falsePositives == 0 ? "–" : $"{(double)truePositives / (truePositives + falsePositives):0.00}")} | "
                + $"{(delays.Count == 0 ? "–" : $"{Percentiles.Of(delays, 50):0.0}")} | {(metrics.Length == 0 ? "–" : metrics)} | "
                + $"{(kind.IsControl ? "–" : $"{recommended}/{list.Count} · {crossed}/{list.Count} · {(leads.Count == 0 ? "–" : $"{leads.Average():0}")}")} | {falseRate:0.0} | {list.Sum(e => e.HealthyRecommended)} |"));
        }
    }

    /// <summary>
    /// Every health sample's failure probability against what happened next: whether the worker's
    /// score fell under the threshold within the horizon. A crossing is known once seen; a sample
    /// without one counts only when its worker was watched to the end of its horizon.
    /// </summary>
    private static async Task PrintCalibrationAsync(BenchSystem system, DateTimeOffset since)
    {
        var samples = await system.QueryAsync("SELECT worker_id, at, health_score, failure_probability FROM worker_health_logs WHERE at >= $1 ORDER BY worker_id, at",
            r => (Worker: r.GetGuid(0), At: r.GetFieldValue<DateTimeOffset>(1), Score: (double)r.GetFloat(2), Probability: (double)r.GetFloat(3)), since);
        var outcomes = samples.GroupBy(s => s.Worker).SelectMany(worker =>
        {
            var list = worker.ToList();
            var last = list[^1].At;
            return list
                .Select(s => (s.At, s.Probability, Failed: list.Any(later => later.At > s.At && later.At <= s.At + Horizon && later.Score < FailureThreshold)))
                .Where(s => s.Failed || s.At + Horizon <= last)
                .Select(s => (s.Probability, s.Failed));
        }).ToList();
        double[] edges = [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0001];
        Console.WriteLine();
        Console.WriteLine($"Calibration: failure probability against a score under {FailureThreshold} within {Horizon.TotalMinutes:0} minutes ({outcomes.Count} samples)");
        Console.WriteLine("| predicted | samples | mean predicted | observed |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        for (var i = 0; i < edges.Length - 1; i++)
        {
            var bin = outcomes.Where(o => o.Probability >= edges[i] && o.Probability < edges[i + 1]).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {edges[i]:0.0}–{Math.Min(1, edges[i + 1]):0.0} | {bin.Count} | {(bin.Count == 0 ? "–" : $"{bin.Average(o => o.Probability):0.00}")} | {(bin.Count == 0 ? "–" : $"{bin.Count(o => o.Failed) / (double)bin.Count:0.00}")} |"));
        }
    }

    /// <summary>About 20 jobs a second: noops, 50 ms sleeps, 100 ms spins, and the share of failing jobs the episode asks for.</summary>
    private static async Task LoadAsync(BenchSystem system, LoadMix mix, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var failing = (int)Math.Round(10 * mix.FailingShare);
                var jobs = Enumerable.Range(0, 10).Select(i => i < failing
                    ? (object)new { type = "fail", maxRetries = 0, payload = new { always = true, message = "the job's own fault" } }
                    : i == failing ? new { type = "sleep", payload = new { ms = 50 } }
                    : i == failing + 1 ? new { type = "spin", payload = new { ms = 100 } }
                    : new { type = "noop" });
                using var response = await system.Http.PostAsJsonAsync("/api/jobs/batch", new { jobs }, stop);
                response.EnsureSuccessStatusCode();
                await Task.Delay(500, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    private static async Task<Guid> WorkerOfAsync(BenchSystem system, int processId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var found = await system.QueryAsync("SELECT id FROM workers WHERE process_id = $1 AND status = 'active'", r => r.GetGuid(0), processId);
            if (found.Count > 0)
            {
                return found[0];
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The cloned worker {processId} did not register.");
            }

            await Task.Delay(200);
        }
    }
}
