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
/// Predicts worker failure from the trend of its health score over the recent history:
/// <list type="bullet">
/// <item>The trend is a Theil–Sen line (the median of the slopes between every pair of samples):
/// a dip or two, a stall that passed, moves it little, where a least-squares line through a short
/// history followed them and predicted failure from one bad sample.</item>
/// <item>The failure probability is the chance that the trend's level at the horizon is under the
/// threshold, given how far the samples scatter around the line (a normal distribution with the
/// robust spread of the residuals, widened for how far the line is extrapolated). A steady
/// decline far above the threshold, or a noisy score, gets a moderate probability, not 1.</item>
/// <item>The time to failure is when the line crosses the threshold.</item>
/// <item>Action: <c>replace</c> once the last <see cref="SustainedSamples"/> scores were all under
/// the threshold (one bad window is not a failed worker); <c>drain</c> at a probability of 0.5 or
/// more; <c>watch</c> at 0.1 or more; otherwise none.</item>
/// </list>
/// A trend needs at least <see cref="MinimumSamples"/> samples spanning <see cref="MinimumSpan"/>.
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

    public static Prediction Predict(IReadOnlyList<ScoreSample> history, double threshold, TimeSpan horizon)
    {
        if (history.Count == 0)
        {
            return new Prediction(null, null, null, 0, RecommendedAction.None);
        }

        var ordered = history.OrderBy(s => s.At).ToList();
        var current = ordered[^1].Score;
        var failed = ordered.Count >= SustainedSamples && ordered.TakeLast(SustainedSamples).All(s => s.Score <= threshold);
        var enough = ordered.Count >= MinimumSamples && ordered[^1].At - ordered[0].At >= MinimumSpan;
        if (!enough || Trend.Of(ordered) is not { } trend)
        {
            return failed
                ? new Prediction(current, null, TimeSpan.Zero, 1, RecommendedAction.Replace)
                : new Prediction(current, null, null, 0, RecommendedAction.None);
        }

        var now = (ordered[^1].At - ordered[0].At).TotalSeconds;
        var levelNow = trend.LevelAt(now);
        var timeToFailure = levelNow <= threshold ? TimeSpan.Zero
            : trend.Slope < 0 ? TimeSpan.FromSeconds((levelNow - threshold) / -trend.Slope)
            : (TimeSpan?)null;
        var at = now + horizon.TotalSeconds;
        var probability = failed ? 1 : NormalDistribution.Cdf((threshold - Math.Min(levelNow, trend.LevelAt(at))) / trend.SpreadAt(at));
        var action = failed ? RecommendedAction.Replace
            : probability >= DrainProbability ? RecommendedAction.Drain
            : probability >= WatchProbability ? RecommendedAction.Watch
            : RecommendedAction.None;
        return new Prediction(current, trend.Slope * 60, failed ? TimeSpan.Zero : timeToFailure, probability, action);
    }

    /// <summary>The Theil–Sen slope of score over time, per second; null when all samples share one instant.</summary>
    public static double? Slope(IReadOnlyList<ScoreSample> samples) => Trend.Of(samples.OrderBy(s => s.At).ToList())?.Slope;

    /// <summary>A robust line through (seconds since the first sample, score), and how the samples scatter around it.</summary>
    private sealed record Trend(double Slope, double Intercept, double Scatter, int Count, double MeanX, double Sxx)
    {
        public double LevelAt(double x) => Intercept + Slope * x;

        /// <summary>The uncertainty of the line's level at <paramref name="x"/>: wider the further from the samples' centre.</summary>
        public double SpreadAt(double x) => Scatter * Math.Sqrt(1.0 / Count + (x - MeanX) * (x - MeanX) / Sxx);

        public static Trend? Of(List<ScoreSample> ordered)
        {
            var origin = ordered[0].At;
            var xs = ordered.Select(s => (s.At - origin).TotalSeconds).ToList();
            var slopes = new List<double>(ordered.Count * (ordered.Count - 1) / 2);
            for (var i = 0; i < ordered.Count; i++)
            {
                for (var j = i + 1; j < ordered.Count; j++)
                {
                    if (xs[j] > xs[i])
                    {
                        slopes.Add((ordered[j].Score - ordered[i].Score) / (xs[j] - xs[i]));
                    }
                }
            }

            if (slopes.Count == 0)
            {
                return null;
            }

            var slope = RobustBaseline.MedianOf(slopes);
            var intercept = RobustBaseline.MedianOf(ordered.Select((s, i) => s.Score - slope * xs[i]).ToList());
            var residuals = ordered.Select((s, i) => s.Score - (intercept + slope * xs[i])).ToList();
            var scatter = Math.Max(RobustBaseline.Of(residuals).Spread, MinimumScatter);
            var meanX = xs.Average();
            var sxx = xs.Sum(x => (x - meanX) * (x - meanX));
            return new Trend(slope, intercept, scatter, ordered.Count, meanX, sxx);
        }
    }
}
