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

        // log P(X = k) = log C(n, k) + k log p + (n − k) log(1 − p), then each next term from the
        // one before: P(X = i + 1) = P(X = i) · (n − i)/(i + 1) · p/(1 − p).
        double logTerm = k * Math.Log(p) + (n - k) * Math.Log(1 - p);
        for (long i = 1; i <= k; i++)
        {
            logTerm += Math.Log((double)(n - k + i) / i);
        }

        var term = Math.Exp(logTerm);
        var sum = 0.0;
        var odds = p / (1 - p);
        for (var i = k; i <= n; i++)
        {
            sum += term;
            if (term < sum * 1e-12 && i > n * p)
            {
                break; // past the mode the terms only shrink
            }

            term *= (double)(n - i) / (i + 1) * odds;
        }

        return Math.Min(1, sum);
    }
}
