namespace AspireJobs.Core.Health;

/// <summary>
/// A baseline's centre and spread by median and median absolute deviation: one odd sample in the
/// baseline (a stall last minute, a GC) moves neither, where it would inflate a mean and standard
/// deviation and hide the next one.
/// </summary>
public readonly record struct RobustBaseline(double Median, double Spread, double Mean, double StdDev, int Count)
{
    /// <summary>MAD × 1.4826 estimates σ for normally distributed values.</summary>
    private const double MadToSigma = 1.4826;

    /// <summary>Below this the spread is taken as this, so a constant baseline gives a large z instead of a division by zero; the floors decide then.</summary>
    private const double MinimumSpread = 1e-9;

    public static RobustBaseline Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("A baseline needs at least one value.", nameof(values));
        }

        var median = MedianOf(values);
        var mad = MedianOf(values.Select(v => Math.Abs(v - median)).ToList());
        var mean = values.Average();
        var stdDev = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new RobustBaseline(median, Math.Max(mad * MadToSigma, MinimumSpread), mean, stdDev, values.Count);
    }

    /// <summary>How many spreads <paramref name="value"/> lies above the median (negative below).</summary>
    public double Z(double value) => (value - Median) / Spread;

    public static double MedianOf(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
