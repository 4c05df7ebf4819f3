using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AspireJobs.Api.Access;

/// <summary>
/// Authenticates a request by its API key, sent as <c>X-Api-Key: key</c> or
/// <c>Authorization: Bearer key</c>. A missing or unknown key answers 401, a key whose scope does
/// not cover the route 403, both as problem details. The key itself is never logged.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRing keys,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    /// <summary>Whether the request carries a key at all (in either header).</summary>
    public static bool CarriesKey(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderName) || request.Headers.Authorization.Count > 0;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (PresentedKey(Request) is not { } presented)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.Find(presented) is not { } key)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(ClaimsOf(key), SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\", Bearer";
        await WriteProblemAsync(Context, problems, StatusCodes.Status401Unauthorized, "An API key is needed.",
            PresentedKey(Request) is null
                ? $"Send a key as '{HeaderName}: <key>' or 'Authorization: Bearer <key>'."
                : "The API key sent is not one the Api knows (it may have been rotated out).");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(Context, problems, StatusCodes.Status403Forbidden, "The API key's scope does not cover this route.",
            $"This key's scope is '{Context.User.FindFirstValue(ApiScopes.ClaimType)}'; {RequiredScopeOf(Context)}");

    public static IEnumerable<Claim> ClaimsOf(ApiKey key) =>
    [
        new(ClaimTypes.Name, key.Name),
        new(ApiScopes.ClaimType, key.Scope.Name()),
        new(AccessPolicies.FingerprintClaim, key.Fingerprint),
    ];

    /// <summary>A problem answer for a refused request, when nothing was written yet.</summary>
    public static async Task WriteProblemAsync(HttpContext context, IProblemDetailsService problems, int status, string title, string detail)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static string RequiredScopeOf(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>() is { } required
            ? $"this route needs '{required.Scope.Name()}'."
            : "this route needs a wider one.";

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers[HeaderName] is { Count: > 0 } header)
        {
            return header.ToString();
        }

        var authorization = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        return authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? authorization[bearer.Length..].Trim() : null;
    }
}
