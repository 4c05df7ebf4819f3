namespace AspireJobs.Core.Health;

/// <summary>How anomalies are judged: robust z-score threshold, baseline sizes, and the floors of practical significance.</summary>
public sealed record AnomalyRules(double Threshold, int MinimumSamples, int MinimumFleet, AnomalyFloors Floors)
{
    public const double DefaultThreshold = 3.0;
    public const int DefaultMinimumSamples = 5;
    public const int DefaultMinimumFleet = 3;

    /// <summary>
    /// The error rate a baseline is taken to have at least, for the binomial test: a worker whose
    /// baseline never failed anything would otherwise make a single failure look impossible.
    /// </summary>
    public const double MinimumBaselineErrorRate = 0.01;

    public static AnomalyRules Default { get; } = new(DefaultThreshold, DefaultMinimumSamples, DefaultMinimumFleet, new AnomalyFloors());
}
