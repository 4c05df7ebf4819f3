using System.Globalization;

namespace AspireJobs.Core.Health;

/// <summary>Where a worker's memory is heading: the chance it reaches the level that fails the worker within the horizon, and when.</summary>
public sealed record MemoryOutlook(double Probability, TimeSpan? TimeToFailure, string Reason);

/// <summary>
/// Forecasts a worker's memory from its recent samples, to see a leak before it fails the worker:
/// <list type="bullet">
/// <item>The trend is the slower of two <see cref="RobustTrend"/> lines, through the earlier and
/// the later half of the last look-back's samples (two minutes by default): a leak keeps rising
/// through both, where a worker that took on a large cache once, or a collection's sawtooth,
/// rises in one at most. The level is the later line's.</item>
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
        var recent = samples.Where(s => s.At >= last - lookBack).OrderBy(s => s.At).ToList();
        if (recent.Count < MinimumSamples
            || RobustTrend.Of(recent[..(recent.Count / 2)], MinimumScatterBytes) is not { } earlier
            || RobustTrend.Of(recent[(recent.Count / 2)..], MinimumScatterBytes) is not { } later)
        {
            return null;
        }

        var slope = Math.Min(earlier.SlopePerSecond, later.SlopePerSecond);
        var watched = (last - recent[0].At).TotalSeconds;
        var now = later.Span;
        var ahead = Math.Min(horizon.TotalSeconds, watched);
        var levelNow = later.LevelAt(now);
        var levelThen = levelNow + Math.Max(0, slope) * ahead;
        var probability = NormalDistribution.Cdf((levelThen - failingBytes) / later.SpreadAt(now + ahead));
        var timeToFailure = TimeToThreshold.Of(failingBytes - levelNow, slope);
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"memory {levelNow / Mebibyte:0} MiB, {(slope >= 0 ? "rising" : "falling")} {Math.Abs(slope) * 60 / Mebibyte:0.#} MiB a minute, against {failingBytes / Mebibyte:0} MiB where memory alone fails the worker");
        return new MemoryOutlook(probability, timeToFailure, reason);
    }

    private const double Mebibyte = 1024 * 1024;
}
