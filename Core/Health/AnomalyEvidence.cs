using System.Globalization;

namespace AspireJobs.Core.Health;

/// <summary>
/// Why an anomaly was raised: the value; the baseline it left (median and robust spread, and the
/// classic mean and standard deviation beside them); how far above the median it was, in units
/// and in spreads; the floor of practical significance it passed; and where the rest of the fleet
/// stood at the time (null when the worker was alone).
/// </summary>
public sealed record AnomalyEvidence(
    double Value,
    double Median,
    double Spread,
    double Mean,
    double StdDev,
    double ZScore,
    double Deviation,
    double Floor,
    double? FleetMedian)
{
    public static AnomalyEvidence Of(double value, RobustBaseline baseline, double floor, double? fleetMedian) =>
        new(value, baseline.Median, baseline.Spread, baseline.Mean, baseline.StdDev, baseline.Z(value), value - baseline.Median, floor, fleetMedian);

    /// <summary>One sentence for logs and the dashboard.</summary>
    public string Reason(string metric, string baseline)
    {
        var against = baseline == FleetHealth.SelfBaseline ? "its own median" : "the fleet's median";
        var fleet = FleetMedian is { } f && baseline == FleetHealth.SelfBaseline ? string.Create(CultureInfo.InvariantCulture, $"; the other workers' median was {f:G4}") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{metric} {Value:G4} is {Deviation:G4} above {against} {Median:G4} (floor {Floor:G4}, z {ZScore:0.0}){fleet}");
    }
}
