namespace AspireJobs.Core.Health;

/// <summary>The standard normal distribution's cumulative probability.</summary>
public static class NormalDistribution
{
    /// <summary>P(Z ≤ <paramref name="z"/>) for a standard normal Z; accurate to about 1e-7.</summary>
    public static double Cdf(double z)
    {
        if (double.IsNaN(z))
        {
            return 0.5;
        }

        // Φ(z) = (1 + erf(z/√2)) / 2, with erf by Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7).
        var x = Math.Abs(z) / Math.Sqrt(2);
        var t = 1 / (1 + 0.3275911 * x);
        var polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        var erf = 1 - polynomial * Math.Exp(-x * x);
        return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
    }
}
