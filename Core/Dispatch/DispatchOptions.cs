namespace AspireJobs.Core.Dispatch;

/// <summary>
/// Options every service shares about the Redis index, from the configuration section
/// <c>Dispatch</c>. All services of one deployment must agree on them.
/// </summary>
public sealed class DispatchOptions
{
    public const string Section = "Dispatch";

    /// <summary>The prefix of every key and channel, so deployments (or test runs) can share a Redis.</summary>
    public string KeyPrefix { get; set; } = RedisKeys.DefaultPrefix;

    public IEnumerable<string> Validate(string section)
    {
        if (string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.Length > 64 || KeyPrefix.Any(c => char.IsWhiteSpace(c) || c is '{' or '}'))
        {
            yield return $"{section}:KeyPrefix must be 1 to 64 characters without spaces or braces (was '{KeyPrefix}').";
        }
    }
}
