namespace AspireJobs.Api.Access;

/// <summary>One entry of <c>Api:Keys</c>, as configuration spells it (<see cref="ApiKeyRing"/> reads and checks it).</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The key itself; prefer <see cref="Hash"/> in files.</summary>
    public string? Key { get; set; }

    /// <summary>The key's SHA-256, 64 hex digits (<c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string? Hash { get; set; }

    /// <summary><c>read</c>, <c>write</c> or <c>admin</c>.</summary>
    public string? Scope { get; set; }
}
