using System.Globalization;
using System.Text;
using AspireJobs.Bench.Subjects;

namespace AspireJobs.Bench;

/// <summary>
/// AspireJobs side by side with Hangfire (on PostgreSQL and on Redis) and BullMQ, one system after
/// another, several rounds each: AspireJobs on the servers its AppHost runs, the peers on private
/// servers of the same programs and durability. Prints one table (median and
/// min–max of the rounds, and the ratio of ours to each peer's) and keeps every figure as JSON
/// lines under bench/results for later comparison.
/// </summary>
public static class ComparisonBenchmark
{
    public static async Task RunAsync(int rounds, string[]? only, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> environment)
    {
        var started = DateTime.UtcNow;
        var results = new List<(string System, int Round, Measurement Figure)>();
        var failures = new List<string>();
        var systems = new List<string>();
        await using (var servers = await BenchServers.StartAsync())
        {
            ISubject[] all = [new AspireJobsSubject(environment), new HangfireSubject("pg", servers), new HangfireSubject("redis", servers), new BullMqSubject(servers)];
            var subjects = all.Where(s => only is null || only.Contains(s.Name, StringComparer.OrdinalIgnoreCase)).ToList();
            systems.AddRange(subjects.Select(s => s.Name));
            foreach (var subject in subjects)
            {
                Console.Error.WriteLine($"== {subject.Name}");
                await using (subject)
                {
                    try
                    {
                        await subject.StartAsync();
                        foreach (var figure in await subject.RunColdAsync())
                        {
                            results.Add((subject.Name, 1, figure));
                            Console.Error.WriteLine($"  cold: {figure}");
                        }

                        await subject.WarmUpAsync();
                        for (var round = 1; round <= rounds; round++)
                        {
                            foreach (var figure in await subject.RunRoundAsync())
                            {
                                results.Add((subject.Name, round, figure));
                                Console.Error.WriteLine($"  round {round}: {figure}");
                            }
                        }
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // One system failing must not lose the others' figures. Its own are
                        // dropped, the rounds before the failure too: a median of fewer rounds
                        // than the header says would read like the others'.
                        results.RemoveAll(r => r.System == subject.Name);
                        failures.Add($"{subject.Name} failed, its cells are empty: {e.GetBaseException().Message}");
                        Console.Error.WriteLine($"  {failures[^1]}");
                    }
                }

                await servers.FlushRedisAsync();
            }
        }

        if (results.Count == 0)
        {
            Console.WriteLine("No figures: every system failed (see above).");
            return;
        }

        var machine = MachineDescription();
        // Every system asked for has its column, a failed one's empty.
        var table = Table(results, [.. systems]);
        if (failures.Count > 0)
        {
            table += Environment.NewLine + string.Join(Environment.NewLine, failures) + Environment.NewLine;
        }

        Console.WriteLine();
        var settings = environment.Count == 0 ? "" : " · AspireJobs with " + BenchSystem.Describe(environment);
        Console.WriteLine($"{started:yyyy-MM-dd} · {machine} · median of {rounds} rounds (min–max){settings}");
        Console.WriteLine(table);
        var lines = results.Select(r => FigureTable.Line(r.Figure, started, machine, new Dictionary<string, object> { ["system"] = r.System, ["round"] = r.Round }));
        await FigureTable.KeepAsync("bench", lines, started, table);
        Console.WriteLine($"(took {(DateTime.UtcNow - started).TotalMinutes:0.0} minutes)");
    }

    private static readonly string[] FigureColumn = ["figure"];

    private static string Table(List<(string System, int Round, Measurement Figure)> results, string[] systems)
    {
        // Ratios are always AspireJobs' over a peer's ('–' where either has no figure), never one peer's over another's.
        string[] peers = systems.Contains(AspireJobsSubject.SubjectName) ? [.. systems.Where(s => s != AspireJobsSubject.SubjectName)] : [];
        var ours = AspireJobsSubject.SubjectName;
        var figures = results.Select(r => r.Figure.Name).Distinct().ToList();
        var header = FigureColumn.Concat(systems).Concat(peers.Select(p => $"ours ÷ {p}")).ToList();
        var rows = new List<string[]>();
        foreach (var figure in figures)
        {
            var unit = results.First(r => r.Figure.Name == figure).Figure.Unit;
            var cells = new List<string> { $"{figure} ({unit})" };
            foreach (var system in systems)
            {
                cells.Add(Summary(Values(results, system, figure)) ?? "–");
            }

            foreach (var peer in peers)
            {
                var mine = Median(Values(results, ours, figure));
                var theirs = Median(Values(results, peer, figure));
                cells.Add(mine is { } m && theirs is { } t && t != 0 ? (m / t).ToString("0.00×", CultureInfo.InvariantCulture) : "–");
            }

            rows.Add([.. cells]);
        }

        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", header) + " |");
        text.AppendLine("|" + string.Join("|", header.Select((_, i) => i == 0 ? " --- " : " ---: ")) + "|");
        foreach (var row in rows)
        {
            text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        return text.ToString();
    }

    private static List<double> Values(List<(string System, int Round, Measurement Figure)> results, string system, string figure) =>
        results.Where(r => r.System == system && r.Figure.Name == figure).Select(r => r.Figure.Value).Order().ToList();

    private static double? Median(List<double> values) => values.Count == 0 ? null : Percentiles.Median(values);

    private static string? Summary(List<double> values) =>
        values.Count == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{Format(Median(values)!.Value)} ({Format(values[0])}–{Format(values[^1])})");

    private static string Format(double value) =>
        value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.0", CultureInfo.InvariantCulture);

    internal static string MachineDescription()
    {
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var gib = long.Parse(memory, CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        return string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, {gib:0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    }
}
