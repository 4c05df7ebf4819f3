using System.Globalization;
using AspireJobs.Bench.Subjects;

namespace AspireJobs.Bench;

/// <summary>
/// The benchmark's entry.
/// <code>
/// dotnet run -c Release --project bench                      AspireJobs beside Hangfire and BullMQ, 3 rounds
/// dotnet run -c Release --project bench -- compare --rounds N --only AspireJobs,BullMQ [--env resource:NAME=VALUE ...]
/// dotnet run -c Release --project bench -- recovery          kill -9 → restart elsewhere, over 20 kills
/// dotnet run -c Release --project bench -- monitor           the health monitor's CPU and memory with 10 workers
/// dotnet run -c Release --project bench -- dag               a 10,000-job fan-out/fan-in and a 1,000-job chain run to the end
/// dotnet run -c Release --project bench -- counts [--jobs N] the counts per state with N jobs retained (10,000,000), against a scan
/// dotnet run -c Release --project bench -- checker [--minutes N] [--only "fault;fault"]  the loss-and-duplication checker, every fault class (or those named, as it prints them) round after round (30)
/// dotnet run -c Release --project bench -- fuzz [--seconds N] [--seed S]  generated requests to every route of the running Api (300)
/// dotnet run -c Release --project bench -- cold [--rounds N] [--env resource:NAME=VALUE ...]  a fresh system's first 20,000 jobs against its warm speed (2)
/// dotnet run -c Release --project bench -- creates [--rounds N] [--env resource:NAME=VALUE ...]  where a single create's CPU goes, by process (3)
/// dotnet run -c Release --project bench -- snapshots         snapshot, restore and point-in-time recovery of 100,000 jobs, beside doing it by hand
/// dotnet run -c Release --project bench -- memory [--attempts N] [--vectors M]  the indexer's throughput (2,000) and search over M stored vectors (100,000)
/// dotnet run -c Release --project bench -- health [--rounds N] [--only stall,leak,...]  the health monitor against one sick worker of three, per kind of degradation, and control periods (1)
/// </code>
/// </summary>
public static class Benchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        // Hangfire's client and monitoring calls block: give them threads at once instead of
        // waiting for the thread pool to grow.
        ThreadPool.SetMinThreads(128, 128);

        if (args.FirstOrDefault() == "hangfire-server")
        {
            return await HangfireServerProcess.RunAsync(args);
        }

        var part = args.FirstOrDefault() ?? "compare";
        switch (part)
        {
            case "compare":
                var rounds = OptionAfter(args, "--rounds") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 3;
                var only = OptionAfter(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                await ComparisonBenchmark.RunAsync(rounds, only, EnvOptions(args));
                return 0;
            case "recovery":
                await RecoveryBenchmark.RunAsync(m => Console.WriteLine(m));
                return 0;
            case "monitor":
                await MonitorFootprintBenchmark.RunAsync(m => Console.WriteLine(m));
                return 0;
            case "dag":
                Console.WriteLine($"Workflows, {DateTime.UtcNow:yyyy-MM-dd}");
                await DagBenchmark.RunAsync(m => Console.WriteLine(m));
                return 0;
            case "counts":
                var jobs = OptionAfter(args, "--jobs") is { } j ? int.Parse(j, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : CountsBenchmark.DefaultJobs;
                return await CountsBenchmark.RunAsync(jobs);
            case "checker":
                var minutes = OptionAfter(args, "--minutes") is { } m ? double.Parse(m, CultureInfo.InvariantCulture) : 30;
                var faults = OptionAfter(args, "--only")?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return await CheckerBenchmark.RunAsync(TimeSpan.FromMinutes(minutes), faults);
            case "fuzz":
                var seconds = OptionAfter(args, "--seconds") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 300;
                var seed = OptionAfter(args, "--seed") is { } d ? int.Parse(d, CultureInfo.InvariantCulture) : Environment.TickCount;
                return await FuzzBenchmark.RunAsync(TimeSpan.FromSeconds(seconds), seed);
            case "cold":
                var coldRounds = OptionAfter(args, "--rounds") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 2;
                return await ColdStartBenchmark.RunAsync(coldRounds, EnvOptions(args));
            case "creates":
                var createRounds = OptionAfter(args, "--rounds") is { } cr ? int.Parse(cr, CultureInfo.InvariantCulture) : 3;
                return await CreateCostBenchmark.RunAsync(createRounds, EnvOptions(args));
            case "snapshots":
                await SnapshotBenchmark.RunAsync(Console.WriteLine);
                return 0;
            case "memory":
                var attempts = OptionAfter(args, "--attempts") is { } a ? int.Parse(a, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : MemoryBenchmark.DefaultAttempts;
                var vectors = OptionAfter(args, "--vectors") is { } v ? int.Parse(v, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : MemoryBenchmark.DefaultVectors;
                return await MemoryBenchmark.RunAsync(attempts, vectors);
            case "health":
                var healthRounds = OptionAfter(args, "--rounds") is { } hr ? int.Parse(hr, CultureInfo.InvariantCulture) : 1;
                var kinds = OptionAfter(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return await HealthBenchmark.RunAsync(healthRounds, kinds);
            default:
                Console.Error.WriteLine("bench: choose compare [--rounds N] [--only system,...] [--env resource:NAME=VALUE], recovery, monitor, dag, counts [--jobs N], checker [--minutes N] [--only 'fault;...'], fuzz [--seconds N] [--seed S], cold [--rounds N] [--env resource:NAME=VALUE], creates [--rounds N] [--env resource:NAME=VALUE], snapshots, memory [--attempts N] [--vectors M] or health [--rounds N] [--only kind,...].");
                return 2;
        }
    }

    /// <summary>Every <c>--env resource:NAME=VALUE</c>, as variables per resource.</summary>
    private static Dictionary<string, IReadOnlyDictionary<string, string>> EnvOptions(string[] args)
    {
        var settings = args.Select((arg, i) => (arg, i)).Where(a => a.arg == "--env" && a.i + 1 < args.Length).Select(a => args[a.i + 1]);
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

    private static string? OptionAfter(string[] args, string option)
    {
        var at = Array.IndexOf(args, option);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
