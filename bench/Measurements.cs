using System.Globalization;

namespace AspireJobs.Bench;

/// <summary>One figure of one round: a name, a value and its unit.</summary>
public sealed record Measurement(string Name, double Value, string Unit)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name,-48} {Value,12:N1} {Unit}");

    /// <summary>Whether more is better (throughput) or less is (latency, memory, connections).</summary>
    public bool HigherIsBetter => Unit.EndsWith("/s", StringComparison.Ordinal);
}

/// <summary>Percentiles of a sample, nearest-rank, and its median.</summary>
public static class Percentiles
{
    /// <summary>The middle value, or the mean of the middle two when the count is even (NaN when empty).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static double Of(IReadOnlyList<double> sortedValues, double percentile)
    {
        if (sortedValues.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sortedValues.Count);
        return sortedValues[Math.Clamp(rank - 1, 0, sortedValues.Count - 1)];
    }
}
