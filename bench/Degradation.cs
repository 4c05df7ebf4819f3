using System.Diagnostics;
using System.Globalization;
using AspireJobs.LocalProcesses;
using Npgsql;

namespace AspireJobs.Bench;

/// <summary>
/// A named way for one worker of the fleet to fall sick (<see cref="Drill"/> settings the worker
/// starts with, and what the harness does to it from the onset), or a control period in which no
/// worker is sick and the whole fleet sees trouble.
/// </summary>
public sealed record Degradation(
    string Name,
    string Description,
    IReadOnlyDictionary<string, string> Drill,
    Func<DegradationScene, CancellationToken, Task> ActAsync,
    bool IsControl = false,
    double FailingShare = Degradation.UsualFailingShare,
    TimeSpan? SickFor = null)
{
    /// <summary>The share of the steady load's jobs that fail on any worker: ordinary trouble of the jobs' own.</summary>
    public const double UsualFailingShare = 0.1;

    private static Task Nothing(DegradationScene scene, CancellationToken stop) => Task.CompletedTask;

    public static IReadOnlyList<Degradation> All { get; } =
    [
        new("stall", "paused (SIGSTOP) 4 s, three times 10 s apart, short of the heartbeat timeout", new Dictionary<string, string>(), StallAsync),
        new("slow", "200 ms added to every handler on that worker", new Dictionary<string, string> { ["Worker__Drill__ExtraRunTime"] = "00:00:00.200" }, Nothing),
        new("errors", "half its attempts fail", new Dictionary<string, string> { ["Worker__Drill__FailShare"] = "0.5" }, Nothing),
        new("leak", "2 MiB a second kept and never released, for 4 minutes (the score fails after about 3)",
            new Dictionary<string, string> { ["Worker__Drill__LeakBytesPerSecond"] = (2 * 1024 * 1024).ToString(CultureInfo.InvariantCulture) }, Nothing,
            SickFor: TimeSpan.FromMinutes(4)),
        new("gc", "5 forced full collections a second over 256 MiB of small live objects", new Dictionary<string, string>
        {
            ["Worker__Drill__GcCollectionsPerSecond"] = "5",
            ["Worker__Drill__GcLiveBytes"] = (256L * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
        }, Nothing),
        new("cpu", "pinned to one core beside two busy processes pinned there too", new Dictionary<string, string>(), StarveAsync),
        new("quiet", "control: nothing degrades", new Dictionary<string, string>(), Nothing, IsControl: true),
        new("fleet-failing", "control: half of every worker's jobs fail", new Dictionary<string, string>(), Nothing, IsControl: true, FailingShare: 0.5),
        new("pg-slow", "control: PostgreSQL slowed by two sessions burning CPU", new Dictionary<string, string>(), SlowPostgresAsync, IsControl: true),
    ];

    private static async Task StallAsync(DegradationScene scene, CancellationToken stop)
    {
        for (var pause = 0; pause < 3; pause++)
        {
            PosixSignals.Send(scene.SickProcessId, PosixSignals.SIGSTOP);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(4), stop);
            }
            finally
            {
                PosixSignals.Send(scene.SickProcessId, PosixSignals.SIGCONT);
            }

            await Task.Delay(TimeSpan.FromSeconds(10), stop);
        }
    }

    private static async Task StarveAsync(DegradationScene scene, CancellationToken stop)
    {
        using var pin = Process.Start("taskset", ["-a", "-cp", "0", scene.SickProcessId.ToString(CultureInfo.InvariantCulture)]);
        await pin.WaitForExitAsync(stop);
        var hogs = Enumerable.Range(0, 2).Select(_ => Process.Start("taskset", ["-c", "0", "sh", "-c", "while :; do :; done"])).ToList();
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, stop);
        }
        catch (OperationCanceledException)
        {
            // The episode is over.
        }
        finally
        {
            foreach (var hog in hogs)
            {
                hog.Kill(entireProcessTree: true);
                hog.Dispose();
            }
        }
    }

    private static async Task SlowPostgresAsync(DegradationScene scene, CancellationToken stop)
    {
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var command = scene.Database.CreateCommand("SELECT count(*) FROM generate_series(1, 20000000)");
                try
                {
                    await command.ExecuteScalarAsync(stop);
                }
                catch (Exception e) when (e is OperationCanceledException or NpgsqlException && stop.IsCancellationRequested)
                {
                    // The episode is over.
                }
            }
        }));
    }
}

/// <summary>What a degradation acts on: the sick worker's process, and the system's database.</summary>
public sealed record DegradationScene(int SickProcessId, NpgsqlDataSource Database);
