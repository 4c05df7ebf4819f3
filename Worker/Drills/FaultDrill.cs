using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace AspireJobs.Worker.Drills;

/// <summary>
/// Runs the fault drill of <see cref="FaultDrillOptions"/>: from its start on, fails a share of
/// attempts and slows every handler (through <see cref="BeforeHandlerAsync"/>), and leaks memory
/// and forces collections in the background. Says so loudly when it begins: a drill must never be
/// mistaken for a real fault.
/// </summary>
public sealed partial class FaultDrill(IOptions<WorkerOptions> options, ILogger<FaultDrill> logger) : BackgroundService
{
    private readonly FaultDrillOptions _options = options.Value.Drill;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<byte[]> _leaked = [];

    private bool IsRunning => _options.IsOn && Stopwatch.GetElapsedTime(_started) >= _options.StartAfter;

    /// <summary>Called before every handler: waits the drill's extra run time, then fails the drill's share of attempts.</summary>
    public async ValueTask BeforeHandlerAsync(CancellationToken cancellationToken)
    {
        if (!IsRunning)
        {
            return;
        }

        if (_options.ExtraRunTime > TimeSpan.Zero)
        {
            await Task.Delay(_options.ExtraRunTime, cancellationToken);
        }

        if (_options.FailShare > 0 && Random.Shared.NextDouble() < _options.FailShare)
        {
            throw new FaultDrillException();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.IsOn)
        {
            return;
        }

        await Task.Delay(_options.StartAfter, stoppingToken);
        LogBegins(_options.FailShare, _options.ExtraRunTime.TotalMilliseconds, _options.LeakBytesPerSecond, _options.GcCollectionsPerSecond);
        await Task.WhenAll(LeakAsync(stoppingToken), PressGcAsync(stoppingToken));
    }

    private async Task LeakAsync(CancellationToken stoppingToken)
    {
        if (_options.LeakBytesPerSecond <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var chunk = new byte[_options.LeakBytesPerSecond / 10];
            Array.Fill(chunk, (byte)1); // touched, so resident
            _leaked.Add(chunk);
        }
    }

    private async Task PressGcAsync(CancellationToken stoppingToken)
    {
        if (_options.GcCollectionsPerSecond <= 0)
        {
            return;
        }

        // Many small live objects: marking them is what makes a full collection slow.
        var live = new object[_options.GcLiveBytes / 256];
        for (var i = 0; i < live.Length; i++)
        {
            live[i] = new byte[256 - 24];
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / _options.GcCollectionsPerSecond));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        GC.KeepAlive(live);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault drill begins on this worker: failing {FailShare:P0} of attempts, {ExtraMs} ms added to each, leaking {LeakBytesPerSecond} bytes/s, {GcPerSecond} forced full collections/s")]
    private partial void LogBegins(double failShare, double extraMs, long leakBytesPerSecond, int gcPerSecond);
}

/// <summary>An attempt failed by a fault drill, not by its handler.</summary>
public sealed class FaultDrillException() : Exception("Fault drill: this attempt was failed on purpose (Worker:Drill:FailShare).");
