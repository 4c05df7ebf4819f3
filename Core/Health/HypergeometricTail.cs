namespace AspireJobs.Core.Health;

/// <summary>
/// Fisher's exact test, one-sided: of all the failures a fleet finished in a window, the chance
/// that at least k fell to one worker's attempts if failures struck every attempt alike. It needs
/// no failure rate known in advance, only the counts, so a handful of attempts on the other
/// workers are weighed as the little evidence they are.
/// </summary>
public static class HypergeometricTail
{
    /// <summary>ln(n!) exactly up to here; Stirling's series beyond, where it is exact to double precision.</summary>
    private const int TabulatedFactorials = 1024;

    private static readonly double[] LogFactorials = Tabulate();

    /// <summary>
    /// P(X ≥ <paramref name="k"/>) for X the number of marked items among <paramref name="draws"/>
    /// drawn without replacement from <paramref name="population"/> items, <paramref name="marked"/> of them marked.
    /// </summary>
    public static double AtLeast(long k, long draws, long marked, long population)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(draws);
        ArgumentOutOfRangeException.ThrowIfNegative(marked);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(draws, population);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(marked, population);
        var highest = Math.Min(draws, marked);
        if (k <= Math.Max(0, draws + marked - population))
        {
            return 1;
        }

        if (k > highest)
        {
            return 0;
        }

        // Summed from the side of k away from the bulk, each term from the one before: below the
        // mean, 1 less the lower tail, since P(X = k) itself may be too small for a double there.
        var unmarked = population - marked;
        var mean = (double)draws * marked / population;
        var lowest = Math.Max(0, draws - unmarked);
        if (k <= mean)
        {
            var below = 0.0;
            var lower = Math.Exp(Log(k - 1, draws, marked, population));
            for (var i = k - 1; i >= lowest; i--)
            {
                below += lower;
                if (lower <= below * 1e-12)
                {
                    break; // below the mean the terms only shrink
                }

                lower *= (double)i * (unmarked - draws + i) / ((double)(marked - i + 1) * (draws - i + 1));
            }

            return Math.Max(0, 1 - below);
        }

        var sum = 0.0;
        var term = Math.Exp(Log(k, draws, marked, population));
        for (var i = k; i <= highest; i++)
        {
            sum += term;
            if (term <= sum * 1e-12)
            {
                break; // above the mean the terms only shrink
            }

            term *= (double)(marked - i) * (draws - i) / ((i + 1.0) * (unmarked - draws + i + 1.0));
        }

        return Math.Min(1, sum);
    }

    /// <summary>ln P(X = <paramref name="k"/>) = ln [C(marked, k) C(population − marked, draws − k) / C(population, draws)].</summary>
    private static double Log(long k, long draws, long marked, long population) =>
        LogChoose(marked, k) + LogChoose(population - marked, draws - k) - LogChoose(population, draws);

    private static double LogChoose(long n, long k) => LogFactorial(n) - LogFactorial(k) - LogFactorial(n - k);

    private static double LogFactorial(long n)
    {
        if (n < TabulatedFactorials)
        {
            return LogFactorials[n];
        }

        double x = n;
        return x * Math.Log(x) - x + 0.5 * Math.Log(2 * Math.PI * x) + 1 / (12 * x) - 1 / (360 * x * x * x);
    }

    private static double[] Tabulate()
    {
        var table = new double[TabulatedFactorials];
        for (var i = 1; i < table.Length; i++)
        {
            table[i] = table[i - 1] + Math.Log(i);
        }

        return table;
    }
}
