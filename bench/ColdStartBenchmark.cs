using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace AspireJobs.Bench;

/// <summary>
/// Speed from the first second: a fresh system through the AppHost (two workers), then 20,000
/// noop jobs created (two batches) and drained at once, with no warm-up; then the same twice
/// more on the now-warm system. The figure that counts is the first pass ÷ the last, in the same
/// run. <c>--env resource:NAME=VALUE</c> (repeatable) sets a variable on a resource, to compare
/// runtime settings (tiered compilation, GC) run against run.
/// </summary>
public static class ColdStartBenchmark
{
    private const int Jobs = 20_000;
    private const int BatchSize = 10_000;
    private const int Passes = 3;

    public static async Task<int> RunAsync(int rounds, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> environment)
    {
        var settings = environment.Count == 0 ? "defaults" : string.Join(", ", environment.SelectMany(r => r.Value.Select(v => $"{r.Key}:{v.Key}={v.Value}")));
        Console.WriteLine($"Cold start, {DateTime.UtcNow:yyyy-MM-dd}: {Jobs:N0} noop jobs created and drained on a fresh system, then twice more; {settings}");
        var ratios = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            await using var system = await BenchSystem.StartAsync(workers: 2, environment);
            var passes = new List<double>();
            for (var pass = 0; pass < Passes; pass++)
            {
                passes.Add(await CreateAndDrainAsync(system));
            }

            ratios.Add(passes[0] / passes[^1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| round {round} | {string.Join(" | ", passes.Select(p => $"{p:N0} jobs/s"))} | cold ÷ warm {passes[0] / passes[^1]:0.00} |"));
        }

        ratios.Sort();
        var median = ratios.Count % 2 == 1 ? ratios[ratios.Count / 2] : (ratios[ratios.Count / 2 - 1] + ratios[ratios.Count / 2]) / 2;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cold ÷ warm, median of {rounds}: {median:0.00}"));
        return 0;
    }

    /// <summary>Parses <c>resource:NAME=VALUE</c> settings.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Environment(IEnumerable<string> settings)
    {
        var environment = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var setting in settings)
        {
            var colon = setting.IndexOf(':', StringComparison.Ordinal);
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (colon < 1 || equals < colon + 2)
            {
                throw new ArgumentException($"--env takes resource:NAME=VALUE, not '{setting}'.");
            }

            var resource = setting[..colon];
            if (!environment.TryGetValue(resource, out var variables))
            {
                environment[resource] = variables = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            variables[setting[(colon + 1)..equals]] = setting[(equals + 1)..];
        }

        return environment.ToDictionary(e => e.Key, e => (IReadOnlyDictionary<string, string>)e.Value, StringComparer.Ordinal);
    }

    /// <summary>Creates the jobs and times them from the first create to the last completion: jobs/s.</summary>
    private static async Task<double> CreateAndDrainAsync(BenchSystem system)
    {
        var clock = Stopwatch.StartNew();
        for (var created = 0; created < Jobs; created += BatchSize)
        {
            using var response = await system.Http.PostAsJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, BatchSize).Select(_ => new { type = "noop" }) });
            response.EnsureSuccessStatusCode();
        }

        while (await system.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status <> 'completed'") > 0)
        {
            await Task.Delay(10);
        }

        var rate = Jobs / clock.Elapsed.TotalSeconds;
        await using (var truncate = system.Database.CreateCommand("TRUNCATE jobs, job_events CASCADE"))
        {
            await truncate.ExecuteNonQueryAsync();
        }

        return rate;
    }
}
