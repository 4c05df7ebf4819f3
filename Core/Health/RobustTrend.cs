namespace AspireJobs.Core.Health;

/// <summary>One point of a measured quantity over time.</summary>
public readonly record struct TimedValue(DateTimeOffset At, double Value);

/// <summary>
/// A Theil–Sen line through values over time (the median of the slopes between every pair of
/// points), and how the points scatter around it. A dip or two, a stall that passed, moves it
/// little, where a least-squares line through a short history follows them.
/// </summary>
/// <param name="Span">Seconds from the first point to the last.</param>
public sealed record RobustTrend(double SlopePerSecond, double Intercept, double Scatter, int Count, double MeanX, double Sxx, double Span)
{
    /// <summary>The line's level <paramref name="secondsAfterOrigin"/> after the first point.</summary>
    public double LevelAt(double secondsAfterOrigin) => Intercept + SlopePerSecond * secondsAfterOrigin;

    /// <summary>The uncertainty of the line's level there: wider the further from the points' centre.</summary>
    public double SpreadAt(double secondsAfterOrigin) =>
        Scatter * Math.Sqrt(1.0 / Count + (secondsAfterOrigin - MeanX) * (secondsAfterOrigin - MeanX) / Sxx);

    /// <summary>
    /// The trend of <paramref name="points"/>; null with fewer than two distinct instants.
    /// <paramref name="minimumScatter"/> is the finest the values are measured: a line through
    /// points that lie on it exactly is not taken as certain.
    /// </summary>
    public static RobustTrend? Of(IReadOnlyList<TimedValue> points, double minimumScatter)
    {
        if (points.Count < 2)
        {
            return null;
        }

        var ordered = points.OrderBy(p => p.At).ToList();
        var origin = ordered[0].At;
        var xs = ordered.Select(p => (p.At - origin).TotalSeconds).ToList();
        var slopes = new List<double>(ordered.Count * (ordered.Count - 1) / 2);
        for (var i = 0; i < ordered.Count; i++)
        {
            for (var j = i + 1; j < ordered.Count; j++)
            {
                if (xs[j] > xs[i])
                {
                    slopes.Add((ordered[j].Value - ordered[i].Value) / (xs[j] - xs[i]));
                }
            }
        }

        if (slopes.Count == 0)
        {
            return null;
        }

        var slope = RobustBaseline.MedianOf(slopes);
        var intercept = RobustBaseline.MedianOf(ordered.Select((p, i) => p.Value - slope * xs[i]).ToList());
        var residuals = ordered.Select((p, i) => p.Value - (intercept + slope * xs[i])).ToList();
        var scatter = Math.Max(RobustBaseline.Of(residuals).Spread, minimumScatter);
        var meanX = xs.Average();
        var sxx = xs.Sum(x => (x - meanX) * (x - meanX));
        return new RobustTrend(slope, intercept, scatter, ordered.Count, meanX, sxx, xs[^1]);
    }
}
