namespace AspireJobs.Api.Access;

/// <summary>A token bucket: <see cref="PermitsPerSecond"/> requests a second on average, bursts of up to <see cref="Burst"/>.</summary>
public sealed class RateLimitOptions
{
    public int PermitsPerSecond { get; set; }

    public int Burst { get; set; }

    public IEnumerable<string> Validate(string path)
    {
        if (PermitsPerSecond is < 1 or > 10_000_000)
        {
            yield return $"{path}:PermitsPerSecond must be between 1 and 10000000 (was {PermitsPerSecond}).";
        }

        if (Burst < PermitsPerSecond || Burst > 10_000_000)
        {
            yield return $"{path}:Burst must be at least PermitsPerSecond and at most 10000000 (was {Burst}).";
        }
    }
}

/// <summary>
/// The request rate each API key may use, by its scope, and what callers without a valid key
/// may try (per client address): enough that no real client meets the limit, low enough that a
/// runaway loop or a key-guessing client does.
/// </summary>
public sealed class RateLimitsOptions
{
    public RateLimitOptions Read { get; set; } = new() { PermitsPerSecond = 5_000, Burst = 10_000 };

    public RateLimitOptions Write { get; set; } = new() { PermitsPerSecond = 50_000, Burst = 100_000 };

    public RateLimitOptions Admin { get; set; } = new() { PermitsPerSecond = 50_000, Burst = 100_000 };

    public RateLimitOptions Anonymous { get; set; } = new() { PermitsPerSecond = 100, Burst = 1_000 };

    public RateLimitOptions For(ApiScope? scope) => scope switch
    {
        ApiScope.Read => Read,
        ApiScope.Write => Write,
        ApiScope.Admin => Admin,
        _ => Anonymous,
    };

    public IEnumerable<string> Validate(string path) =>
        Read.Validate($"{path}:Read")
            .Concat(Write.Validate($"{path}:Write"))
            .Concat(Admin.Validate($"{path}:Admin"))
            .Concat(Anonymous.Validate($"{path}:Anonymous"));
}
