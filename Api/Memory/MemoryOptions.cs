using AspireJobs.ServiceDefaults;

namespace AspireJobs.Api.Memory;

/// <summary>Options of execution memory in the Api, from the configuration section <c>Memory</c>.</summary>
public sealed class MemoryOptions : IValidatedOptions
{
    public const string Section = "Memory";

    // Measured with MiniLM on attempt texts of one job type (MiniLmAttemptTextTests): the same
    // fault with other ids and numbers scores about 0.99; other faults of the same type 0.5-0.75.
    public const double DefaultLikelyOutcomeMinScore = 0.85;
    public const int DefaultLikelyOutcomeNeighbours = 20;
    public const int DefaultMaxSearchTextLength = 4000;

    /// <summary>A past failure counts as a neighbour of a failing job from this cosine similarity on (0 to 1).</summary>
    public double LikelyOutcomeMinScore { get; set; } = DefaultLikelyOutcomeMinScore;

    /// <summary>How many nearest past failures a likely outcome looks at.</summary>
    public int LikelyOutcomeNeighbours { get; set; } = DefaultLikelyOutcomeNeighbours;

    /// <summary>The longest text <c>POST /api/executions/search</c> accepts, in characters.</summary>
    public int MaxSearchTextLength { get; set; } = DefaultMaxSearchTextLength;

    public IEnumerable<string> Validate(string section)
    {
        if (LikelyOutcomeMinScore is < 0 or > 1 || double.IsNaN(LikelyOutcomeMinScore))
        {
            yield return $"{section}:LikelyOutcomeMinScore must be between 0 and 1 (was {LikelyOutcomeMinScore}).";
        }

        if (LikelyOutcomeNeighbours is < 1 or > 1000)
        {
            yield return $"{section}:LikelyOutcomeNeighbours must be between 1 and 1000 (was {LikelyOutcomeNeighbours}).";
        }

        if (MaxSearchTextLength is < 1 or > 1_000_000)
        {
            yield return $"{section}:MaxSearchTextLength must be between 1 and 1000000 (was {MaxSearchTextLength}).";
        }
    }
}
