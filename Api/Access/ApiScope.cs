namespace AspireJobs.Api.Access;

/// <summary>
/// What an API key may do, each scope covering the ones below it: <see cref="Read"/> the GET
/// routes and the dashboard; <see cref="Write"/> also create, cancel and re-prioritise jobs;
/// <see cref="Admin"/> everything, including drain, requeue, snapshots and restore.
/// </summary>
public enum ApiScope
{
    Read = 1,
    Write = 2,
    Admin = 3,
}

public static class ApiScopes
{
    /// <summary>The claim that carries a caller's scope, in lower case.</summary>
    public const string ClaimType = "scope";

    public static string Name(this ApiScope scope) => scope switch
    {
        ApiScope.Read => "read",
        ApiScope.Write => "write",
        _ => "admin",
    };

    public static bool TryParse(string? text, out ApiScope scope)
    {
        scope = text?.Trim().ToLowerInvariant() switch
        {
            "read" => ApiScope.Read,
            "write" => ApiScope.Write,
            "admin" => ApiScope.Admin,
            _ => 0,
        };
        return scope != 0;
    }

    public static bool Covers(this ApiScope held, ApiScope needed) => held >= needed;
}
