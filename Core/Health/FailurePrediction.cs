using System.Globalization;

namespace AspireJobs.Core.Health;

/// <summary>What an operator should do about a worker.</summary>
public enum RecommendedAction
{
    /// <summary>Healthy, or not getting worse.</summary>
    None,

    /// <summary>Getting worse; expected to cross the failure threshold within the horizon, but not soon.</summary>
    Watch,

    /// <summary>Expected to fail soon: stop giving it new work and let it finish what it holds.</summary>
    Drain,

    /// <summary>Below the failure threshold: hand its work back and replace it.</summary>
    Replace,
}

/// <summary>The one spelling of each <see cref="RecommendedAction"/> in SQL and JSON.</summary>
public static class RecommendedActionText
{
    public static string Of(RecommendedAction action) => action.ToString().ToLowerInvariant();

    public static RecommendedAction Parse(string text) =>
        Enum.TryParse<RecommendedAction>(text, ignoreCase: true, out var action) ? action : throw new FormatException($"'{text}' is not a recommended action.");
}

/// <summary>A worker's outlook: from the trend of its health score, and from where its memory is heading.</summary>
public sealed record Prediction(
    double? CurrentScore,
    double? SlopePerMinute,
    TimeSpan? TimeToFailure,
    double FailureProbability,
    RecommendedAction RecommendedAction)
{
    /// <summary>What the failure is expected from, in a sentence; null when none is expected.</summary>
    public string? Reason { get; init; }
}

/// <summary>One point of a score history.</summary>
public readonly record struct ScoreSample(DateTimeOffset At, double Score);

/// <summary>
/// Predicts worker failure within the horizon, from two outlooks, taking the likelier:
/// <list type="bullet">
/// <item>The trend of the health score over the recent history: a <see cref="RobustTrend"/> line,
/// and the chance that its level at the horizon is under the threshold, given how far the
/// samples scatter around it (widened for how far the line is extrapolated). A steady decline far
/// above the threshold, or a noisy score, gets a moderate probability, not 1.</item>
/// <item>Where the worker's memory is heading (<see cref="MemoryForecast"/>): memory is the one
/// part of the score that fails gradually and ahead of time (a leak), but it costs the score
/// nothing until half the budget, so the score's own trend sees a leak only once it is late.</item>
/// </list>
/// Action: <c>replace</c> once the last <see cref="SustainedSamples"/> scores were all under the
/// threshold (one bad window is not a failed worker); <c>drain</c> at a probability of 0.5 or more;
/// <c>watch</c> at 0.1 or more; otherwise none. A score trend needs at least
/// <see cref="MinimumSamples"/> samples spanning <see cref="MinimumSpan"/>.
/// </summary>
public static class FailurePrediction
{
    public const double DefaultThreshold = 0.3;
    public static readonly TimeSpan DefaultHorizon = TimeSpan.FromMinutes(10);
    public const int MinimumSamples = 5;
    public static readonly TimeSpan MinimumSpan = TimeSpan.FromMinutes(1);

    /// <summary>Scores under the threshold this many samples in a row make a worker failed: one bad window does not.</summary>
    public const int SustainedSamples = 3;

    public const double DrainProbability = 0.5;
    public const double WatchProbability = 0.1;

    /// <summary>The least scatter assumed around the trend: scores are not measured more finely than this.</summary>
    private const double MinimumScatter = 0.02;

    public static Prediction Predict(IReadOnlyList<ScoreSample> history, double threshold, TimeSpan horizon, MemoryOutlook? memory = null)
    {
        var fromScore = FromScore(history, threshold, horizon);
        // A memory outlook under the watch level says nothing worth showing (a healthy worker's
        // slow growth would otherwise give it a time to failure of hours).
        if (memory is null || fromScore.RecommendedAction == RecommendedAction.Replace
            || memory.Probability < WatchProbability || memory.Probability <= fromScore.FailureProbability)
        {
            return fromScore;
        }

        return fromScore with
        {
            FailureProbability = memory.Probability,
            TimeToFailure = fromScore.TimeToFailure is { } fromTrend && memory.TimeToFailure is { } fromMemory
                ? TimeSpan.FromTicks(Math.Min(fromTrend.Ticks, fromMemory.Ticks))
                : fromScore.TimeToFailure ?? memory.TimeToFailure,
            RecommendedAction = ActionFor(memory.Probability),
            Reason = memory.Reason,
        };
    }

    private static Prediction FromScore(IReadOnlyList<ScoreSample> history, double threshold, TimeSpan horizon)
    {
        if (history.Count == 0)
        {
            return new Prediction(null, null, null, 0, RecommendedAction.None);
        }

        var ordered = history.OrderBy(s => s.At).ToList();
        var current = ordered[^1].Score;
        var failed = ordered.Count >= SustainedSamples && ordered.TakeLast(SustainedSamples).All(s => s.Score <= threshold);
        var enough = ordered.Count >= MinimumSamples && ordered[^1].At - ordered[0].At >= MinimumSpan;
        if (!enough || TrendOf(ordered) is not { } trend)
        {
            return failed
                ? new Prediction(current, null, TimeSpan.Zero, 1, RecommendedAction.Replace) { Reason = Failed(threshold) }
                : new Prediction(current, null, null, 0, RecommendedAction.None);
        }

        var now = trend.Span;
        var levelNow = trend.LevelAt(now);
        var timeToFailure = TimeToThreshold.Of(levelNow - threshold, -trend.SlopePerSecond);
        var at = now + horizon.TotalSeconds;
        var probability = failed ? 1 : NormalDistribution.Cdf((threshold - Math.Min(levelNow, trend.LevelAt(at))) / trend.SpreadAt(at));
        var action = failed ? RecommendedAction.Replace : ActionFor(probability);
        var reason = failed ? Failed(threshold)
            : action == RecommendedAction.None ? null
            : string.Create(CultureInfo.InvariantCulture, $"health score {levelNow:0.00} falling {-trend.SlopePerSecond * 60:0.000} a minute");
        return new Prediction(current, trend.SlopePerSecond * 60, failed ? TimeSpan.Zero : timeToFailure, probability, action) { Reason = reason };
    }

    private static RecommendedAction ActionFor(double probability) =>
        probability >= DrainProbability ? RecommendedAction.Drain
        : probability >= WatchProbability ? RecommendedAction.Watch
        : RecommendedAction.None;

    private static string Failed(double threshold) =>
        string.Create(CultureInfo.InvariantCulture, $"health score under {threshold:0.00} for {SustainedSamples} samples in a row");

    /// <summary>The Theil–Sen slope of score over time, per second; null when all samples share one instant.</summary>
    public static double? Slope(IReadOnlyList<ScoreSample> samples) => TrendOf(samples)?.SlopePerSecond;

    private static RobustTrend? TrendOf(IReadOnlyList<ScoreSample> samples) =>
        RobustTrend.Of(samples.Select(s => new TimedValue(s.At, s.Score)).ToList(), MinimumScatter);
}
