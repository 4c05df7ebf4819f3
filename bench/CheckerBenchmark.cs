using System.Globalization;
using AspireJobs.Checker;
using StackExchange.Redis;

namespace AspireJobs.Bench;

/// <summary>
/// The loss-and-duplication checker, long: three workers under a steady load for a while, the
/// fault classes injected round after round in shuffled order, and after each fault the
/// services' memory, the database's sessions and Redis's clients sampled, to show them flat.
/// </summary>
public static class CheckerBenchmark
{
    private static readonly string[] Services = ["api", "worker", "healthmonitor"];

    /// <param name="only">The names of the fault classes to inject, as the report prints them; null for all.</param>
    public static async Task<int> RunAsync(TimeSpan duration, IReadOnlyCollection<string>? only)
    {
        var names = CheckerFaults.All(TimeSpan.Zero).Select(fault => fault.Name).ToList();
        if (only?.Except(names).ToList() is { Count: > 0 } unknown)
        {
            Console.Error.WriteLine($"bench: no fault class named {string.Join(", ", unknown.Select(name => $"'{name}'"))}; the classes are: {string.Join("; ", names)}.");
            return 2;
        }

        var dataDirectory = Path.Combine(Path.GetTempPath(), "aspirejobs-checker-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_101_101); // PostgreSQL may run as another user
        CheckerReport report;
        var samples = new List<(double Rss, long Sessions, long Clients)>();
        await using (var app = await CheckedAppHost.StartAsync(dataDirectory, workers: 3, CancellationToken.None))
        {
            var system = app.System;
            var options = new CheckerOptions
            {
                Duration = duration,
                DrainTimeout = TimeSpan.FromMinutes(5),
                Sample = async () =>
                {
                    var sample = await SampleAsync(system);
                    samples.Add(sample);
                    return $"services' memory {sample.Rss:0} MB, database sessions {sample.Sessions}, redis clients {sample.Clients}";
                },
            };
            var faults = CheckerFaults.All(system.HeartbeatTimeout).Where(fault => only is null || only.Contains(fault.Name)).ToList();
            report = await new LossChecker(system, options, Console.Error.WriteLine).RunAsync(faults, CancellationToken.None);
        }

        Directory.Delete(dataDirectory, recursive: true);
        Console.WriteLine($"Loss-and-duplication checker, {DateTime.UtcNow:yyyy-MM-dd}, {duration.TotalMinutes:0} min, 3 workers");
        Console.WriteLine(report);
        var thirds = samples.Chunk(Math.Max(1, samples.Count / 3)).ToList();
        Console.WriteLine("samples by third of the run (mean): " + string.Join("; ", thirds.Select(t => string.Create(CultureInfo.InvariantCulture,
            $"memory {t.Average(s => s.Rss):0} MB, sessions {t.Where(s => s.Sessions >= 0).Average(s => (double?)s.Sessions):0}, redis clients {t.Where(s => s.Clients >= 0).Average(s => (double?)s.Clients):0}"))));
        return report.NothingLostOrDuplicated && report.CountsAgree ? 0 : 1;
    }

    /// <summary>The services' resident memory together, the database's sessions and Redis's clients (-1 for a server still coming back).</summary>
    private static async Task<(double Rss, long Sessions, long Clients)> SampleAsync(CheckedSystem system)
    {
        var rss = Services.SelectMany(system.ProcessIdsOf).Sum(ResidentMegabytes);
        long sessions = -1, clients = -1;
        try
        {
            await using var command = system.Database.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()");
            sessions = (long)(await command.ExecuteScalarAsync())!;
            await using var redis = await ConnectionMultiplexer.ConnectAsync(system.RedisConnectionString + ",allowAdmin=true");
            var info = await redis.GetServers()[0].InfoAsync("clients");
            clients = long.Parse(info.SelectMany(g => g).First(p => p.Key == "connected_clients").Value, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or RedisException or TimeoutException or OperationCanceledException)
        {
            // Sampled right after its fault: the next sample counts. No token is passed, so a
            // cancellation is a command Redis dropped with its connection.
        }

        return (rss, sessions, clients);
    }

    private static double ResidentMegabytes(int processId)
    {
        try
        {
            // A process that just died (a fault) and is not yet reaped has no VmRSS line.
            return File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)) is { } line
                ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0
                : 0;
        }
        catch (IOException)
        {
            return 0; // gone already, and being restarted
        }
    }
}
