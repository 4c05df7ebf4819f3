using System.Globalization;

namespace AspireJobs.Core.Health;

/// <summary>Where a worker's memory is heading: the chance it reaches the level that fails the worker within the horizon, and when.</summary>
public sealed record MemoryOutlook(double Probability, TimeSpan? TimeToFailure, string Reason);

/// <summary>
/// Forecasts a worker's memory from its recent samples, to see a leak before it fails the worker:
/// <list type="bullet">
/// <item>The trend is a <see cref="RobustTrend"/> line through the samples of the last look-back
/// (two minutes by default): short enough to turn within a minute of a leak's start, long enough
/// that a collection's sawtooth does not tilt it.</item>
/// <item>The line is extrapolated no further ahead than it was watched, and never past the
/// horizon: a line fitted to two minutes says little of the next ten, and a process growing while
/// it warms up would otherwise be drained within minutes of its start.</item>
/// <item>The probability is the chance that the line's level there is at or above the level that
/// fails the worker (<see cref="HealthScore.FailingMemoryBytes"/>), given how far the samples
/// scatter around the line.</item>
/// </list>
/// </summary>
public static class MemoryForecast
{
    public static readonly TimeSpan DefaultLookBack = TimeSpan.FromMinutes(2);

    /// <summary>No forecast from fewer samples than this.</summary>
    public const int MinimumSamples = 6;

    /// <summary>The least scatter assumed around the line: a working set moves by this much without meaning anything.</summary>
    public const double MinimumScatterBytes = 4 * 1024 * 1024;

    /// <summary>The outlook from <paramref name="samples"/> (bytes over time); null without enough of them.</summary>
    public static MemoryOutlook? Of(IReadOnlyList<TimedValue> samples, double failingBytes, TimeSpan horizon, TimeSpan lookBack)
    {
        if (samples.Count == 0)
        {
            return null;
        }

        var last = samples.Max(s => s.At);
        var recent = samples.Where(s => s.At >= last - lookBack).ToList();
        if (recent.Count < MinimumSamples || RobustTrend.Of(recent, MinimumScatterBytes) is not { } trend || trend.Span <= 0)
        {
            return null;
        }

        var now = trend.Span;
        var levelNow = trend.LevelAt(now);
        var at = now + Math.Min(horizon.TotalSeconds, trend.Span);
        var levelThen = Math.Max(levelNow, trend.LevelAt(at));
        var probability = NormalDistribution.Cdf((levelThen - failingBytes) / trend.SpreadAt(at));
        var timeToFailure = levelNow >= failingBytes ? TimeSpan.Zero
            : trend.SlopePerSecond > 0 ? TimeSpan.FromSeconds((failingBytes - levelNow) / trend.SlopePerSecond)
            : (TimeSpan?)null;
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"memory {levelNow / Mebibyte:0} MiB, {(trend.SlopePerSecond >= 0 ? "rising" : "falling")} {Math.Abs(trend.SlopePerSecond) * 60 / Mebibyte:0.#} MiB a minute, against {failingBytes / Mebibyte:0} MiB where memory alone fails the worker");
        return new MemoryOutlook(probability, timeToFailure, reason);
    }

    private const double Mebibyte = 1024 * 1024;
}
