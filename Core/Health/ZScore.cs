namespace AspireJobs.Core.Health;

/// <summary>How far a value is from a baseline, in standard deviations.</summary>
public sealed record ZScoreResult(double Value, double Mean, double StdDev, double Z)
{
    public bool IsAnomaly(double threshold) => Math.Abs(Z) >= threshold;
}

/// <summary>
/// Z-scores against a baseline sample (a worker's own recent history, or the rest of the fleet).
/// No judgement below a minimum sample count: too few samples make every value look odd. The
/// standard deviation has a floor of 1 % of the mean's size (and 1e-9), so a perfectly steady
/// baseline still flags a real departure instead of dividing by zero.
/// </summary>
public static class ZScore
{
    public const double DefaultThreshold = 2.0;
    public const int DefaultMinimumSamples = 5;

    /// <summary>The z-score of <paramref name="value"/> against <paramref name="baseline"/>; null when the baseline is too small.</summary>
    public static ZScoreResult? Of(double value, IReadOnlyList<double> baseline, int minimumSamples = DefaultMinimumSamples)
    {
        if (baseline.Count < Math.Max(2, minimumSamples))
        {
            return null;
        }

        var mean = baseline.Average();
        var variance = baseline.Sum(x => (x - mean) * (x - mean)) / (baseline.Count - 1);
        var stdDev = Math.Max(Math.Sqrt(variance), Math.Max(Math.Abs(mean) * 0.01, 1e-9));
        return new ZScoreResult(value, mean, stdDev, (value - mean) / stdDev);
    }
}
