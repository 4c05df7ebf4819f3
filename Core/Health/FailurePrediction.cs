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

/// <summary>A worker's outlook from the trend of its health score.</summary>
public sealed record Prediction(
    double? CurrentScore,
    double? SlopePerMinute,
    TimeSpan? TimeToFailure,
    double FailureProbability,
    RecommendedAction RecommendedAction);

/// <summary>One point of a score history.</summary>
public readonly record struct ScoreSample(DateTimeOffset At, double Score);

/// <summary>
/// Predicts worker failure from the degradation rate of its health score: the slope of a
/// least-squares line through the recent history; the time until that line crosses the failure
/// threshold; and a failure probability of 1 − timeToFailure / horizon (0 when the score is not
/// falling, 1 once it is below the threshold). Action: replace below the threshold; drain at a
/// probability of 0.5 or more (failure expected within half the horizon); watch for any lower
/// positive probability; otherwise none. A trend needs at least <see cref="MinimumSamples"/>
/// samples spanning <see cref="MinimumSpan"/>: a few noisy samples seconds apart would otherwise
/// predict failure from noise.
/// </summary>
public static class FailurePrediction
{
    public const double DefaultThreshold = 0.3;
    public static readonly TimeSpan DefaultHorizon = TimeSpan.FromMinutes(10);
    public const int MinimumSamples = 5;
    public static readonly TimeSpan MinimumSpan = TimeSpan.FromMinutes(1);

    public static Prediction Predict(IReadOnlyList<ScoreSample> history, double threshold, TimeSpan horizon)
    {
        if (history.Count == 0)
        {
            return new Prediction(null, null, null, 0, RecommendedAction.None);
        }

        var ordered = history.OrderBy(s => s.At).ToList();
        var current = ordered[^1].Score;
        if (current <= threshold)
        {
            return new Prediction(current, Slope(ordered) * 60, TimeSpan.Zero, 1, RecommendedAction.Replace);
        }

        var enough = ordered.Count >= MinimumSamples && ordered[^1].At - ordered[0].At >= MinimumSpan;
        if (!enough || Slope(ordered) is not { } slope || slope >= 0)
        {
            return new Prediction(current, enough ? Slope(ordered) * 60 : null, null, 0, RecommendedAction.None);
        }

        var timeToFailure = TimeSpan.FromSeconds((current - threshold) / -slope);
        var probability = Math.Clamp(1 - timeToFailure / horizon, 0, 1);
        var action = probability >= 0.5 ? RecommendedAction.Drain : probability > 0 ? RecommendedAction.Watch : RecommendedAction.None;
        return new Prediction(current, slope * 60, timeToFailure, probability, action);
    }

    /// <summary>The least-squares slope of score over time, per second; null when all samples share one instant.</summary>
    public static double? Slope(IReadOnlyList<ScoreSample> samples)
    {
        if (samples.Count < 2)
        {
            return null;
        }

        var origin = samples[0].At;
        var xs = samples.Select(s => (s.At - origin).TotalSeconds).ToList();
        var meanX = xs.Average();
        var meanY = samples.Average(s => s.Score);
        var sxx = xs.Sum(x => (x - meanX) * (x - meanX));
        if (sxx == 0)
        {
            return null;
        }

        var sxy = xs.Zip(samples, (x, s) => (x - meanX) * (s.Score - meanY)).Sum();
        return sxy / sxx;
    }
}
