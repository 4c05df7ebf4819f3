using AspireJobs.Api.Access;
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

    /// <summary>
    /// The most bytes of payloads, results and errors a page of jobs (<c>GET /api/jobs</c>,
    /// <c>GET /api/dead-letters</c>) holds before its limit: past them the page ends early, with
    /// its <c>nextCursor</c>, so a page of large payloads cannot fill the Api's memory. A page
    /// always holds its first job.
    /// </summary>
    public long MaxPageBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>The deepest nesting a job payload may have (objects and arrays); deeper answers 400.</summary>
    public int MaxPayloadDepth { get; set; } = 32;

    /// <summary>The API keys by name (see <see cref="ApiKeyRing"/>, which reads them again on every reload).</summary>
    public Dictionary<string, ApiKeyOptions> Keys { get; set; } = [];

    /// <summary>
    /// An optional JSON file of further configuration, watched for changes: where keys are added
    /// and removed while the Api runs (<c>{ "Api": { "Keys": { ... } } }</c>).
    /// </summary>
    public string? KeysFile { get; set; }

    /// <summary>Requests per second per API key, by scope; and for callers without a valid key, per address.</summary>
    public RateLimitsOptions RateLimits { get; set; } = new();

    /// <summary>How many expensive requests (a job's graph, search, restore) run at once; more wait in a queue.</summary>
    public int ExpensiveConcurrency { get; set; } = 4;

    /// <summary>How many expensive requests may wait; beyond that they answer 429.</summary>
    public int ExpensiveQueue { get; set; } = 32;

    /// <summary>
    /// How often the jobs whose push to Redis failed after their create are pushed again
    /// (see <see cref="Jobs.UnpushedJobs"/>): the most such a job waits once Redis answers.
    /// </summary>
    public TimeSpan PushRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most jobs held for a retried push; beyond it a job is left to the health monitor's
    /// reconciler alone, and 0 leaves every failed push to it.
    /// </summary>
    public int PushRetryLimit { get; set; } = 100_000;

    /// <summary>
    /// The most rounds of jobs the Api rehearses creating as it starts, before it reports ready
    /// (none kept: see <see cref="Jobs.CreatePathWarmUp"/>), so its first burst of batch creates
    /// runs optimized code; fewer once the runtime has nothing new to compile. 0 starts it cold.
    /// </summary>
    public int WarmUpRounds { get; set; } = 20;

    /// <summary>The longest the warm-up's rehearsal may hold the Api's readiness (PostgreSQL slow to answer); past it the Api reports ready cold.</summary>
    public TimeSpan WarmUpTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Validate(string section)
    {
        foreach (var failure in RateLimits.Validate($"{section}:RateLimits"))
        {
            yield return failure;
        }

        if (MaxPayloadDepth is < 1 or > 256)
        {
            yield return $"{section}:MaxPayloadDepth must be between 1 and 256 (was {MaxPayloadDepth}).";
        }

        if (ExpensiveConcurrency is < 1 or > 1024)
        {
            yield return $"{section}:ExpensiveConcurrency must be between 1 and 1024 (was {ExpensiveConcurrency}).";
        }

        if (ExpensiveQueue is < 0 or > 100_000)
        {
            yield return $"{section}:ExpensiveQueue must be between 0 and 100000 (was {ExpensiveQueue}).";
        }

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

        if (MaxPageBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            yield return $"{section}:MaxPageBytes must be between 1024 and 1073741824 (was {MaxPageBytes}).";
        }

        if (MaxDependencies is < 1 or > 100_000)
        {
            yield return $"{section}:MaxDependencies must be between 1 and 100000 (was {MaxDependencies}).";
        }

        if (PushRetryInterval < TimeSpan.FromMilliseconds(10) || PushRetryInterval > TimeSpan.FromMinutes(10))
        {
            yield return $"{section}:PushRetryInterval must be a time span from 00:00:00.010 to 00:10:00 (was {PushRetryInterval}).";
        }

        if (WarmUpRounds is < 0 or > 1_000)
        {
            yield return $"{section}:WarmUpRounds must be between 0 and 1000 (was {WarmUpRounds}).";
        }

        if (WarmUpTimeout < TimeSpan.FromMilliseconds(100) || WarmUpTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{section}:WarmUpTimeout must be a time span from 00:00:00.100 to 00:05:00 (was {WarmUpTimeout}).";
        }

        if (PushRetryLimit is < 0 or > 10_000_000)
        {
            yield return $"{section}:PushRetryLimit must be between 0 and 10000000 (was {PushRetryLimit}).";
        }
    }

    /// <summary>The body limit of a single create: the payload plus room for the other fields.</summary>
    public long MaxSingleRequestBytes => MaxPayloadBytes + 64L * 1024 + MaxDependencies * 40L;
}
