namespace AspireJobs.Core.Health;

/// <summary>How unlikely a count of failures is: the chance of at least k failures in n attempts that each fail with probability p.</summary>
public static class BinomialTail
{
    /// <summary>P(X ≥ <paramref name="k"/>) for X ~ Binomial(<paramref name="n"/>, <paramref name="p"/>).</summary>
    public static double AtLeast(long k, long n, double p)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (k <= 0)
        {
            return 1;
        }

        if (k > n || p <= 0)
        {
            return 0;
        }

        if (p >= 1)
        {
            return 1;
        }

        // Summed from the side of k away from the bulk: below the mean, 1 less the lower tail,
        // since P(X = k) itself may be too small for a double there (at least 1 failure of 2,000
        // attempts at one half: P(X = 1) is 2,000 · 2^−2,000, which is 0 as a double, where the
        // answer is 1).
        var odds = p / (1 - p);
        if (k <= n * p)
        {
            var below = 0.0;
            var lower = Math.Exp(LogProbability(k - 1, n, p));
            for (var i = k - 1; i >= 0; i--)
            {
                below += lower;
                if (lower <= below * 1e-12)
                {
                    break; // below the mean the terms only shrink
                }

                // P(X = i − 1) = P(X = i) · i/(n − i + 1) · (1 − p)/p.
                lower *= i / (double)(n - i + 1) / odds;
            }

            return Math.Clamp(1 - below, 0, 1);
        }

        // Each next term from the one before: P(X = i + 1) = P(X = i) · (n − i)/(i + 1) · p/(1 − p).
        var term = Math.Exp(LogProbability(k, n, p));
        var sum = 0.0;
        for (var i = k; i <= n; i++)
        {
            sum += term;
            if (term < sum * 1e-12)
            {
                break; // past the mode the terms only shrink
            }

            term *= (double)(n - i) / (i + 1) * odds;
        }

        return Math.Min(1, sum);
    }

    /// <summary>log P(X = <paramref name="k"/>) = log C(n, k) + k log p + (n − k) log(1 − p).</summary>
    private static double LogProbability(long k, long n, double p)
    {
        var log = k * Math.Log(p) + (n - k) * Math.Log(1 - p);
        for (long i = 1; i <= k; i++)
        {
            log += Math.Log((double)(n - k + i) / i);
        }

        return log;
    }
}
