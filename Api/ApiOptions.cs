using AspireJobs.ServiceDefaults;

namespace AspireJobs.Api;

/// <summary>Options of the Api, from the configuration section <c>Api</c>.</summary>
public sealed class ApiOptions : IValidatedOptions
{
    public const string Section = "Api";

    /// <summary>The largest job payload accepted, in bytes of UTF-8 JSON; larger answers 413.</summary>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>The most ids a job may name in <c>dependsOn</c>.</summary>
    public int MaxDependencies { get; set; } = 10_000;

    /// <summary>The most jobs one batch create may hold.</summary>
    public int MaxBatchSize { get; set; } = 10_000;

    /// <summary>The largest batch request body accepted, in bytes; larger answers 413.</summary>
    public long MaxBatchRequestBytes { get; set; } = 64L * 1024 * 1024;

    public IEnumerable<string> Validate(string section)
    {
        if (MaxPayloadBytes is < 2 or > 64 * 1024 * 1024)
        {
            yield return $"{section}:MaxPayloadBytes must be between 2 and 67108864 (was {MaxPayloadBytes}).";
        }

        if (MaxBatchSize is < 1 or > 100_000)
        {
            yield return $"{section}:MaxBatchSize must be between 1 and 100000 (was {MaxBatchSize}).";
        }

        if (MaxBatchRequestBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            yield return $"{section}:MaxBatchRequestBytes must be between 1024 and 1073741824 (was {MaxBatchRequestBytes}).";
        }

        if (MaxDependencies is < 1 or > 100_000)
        {
            yield return $"{section}:MaxDependencies must be between 1 and 100000 (was {MaxDependencies}).";
        }
    }

    /// <summary>The body limit of a single create: the payload plus room for the other fields.</summary>
    public long MaxSingleRequestBytes => MaxPayloadBytes + 64L * 1024 + MaxDependencies * 40L;
}
