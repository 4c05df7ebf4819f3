using Microsoft.AspNetCore.Authorization;

namespace AspireJobs.Api.Access;

/// <summary>The scope a route needs, as endpoint metadata (the 403 answer names it).</summary>
public sealed record RequiredScope(ApiScope Scope);

/// <summary>
/// One authorization policy per scope. Every route needs <see cref="ApiScope.Read"/> unless it
/// says otherwise (the fallback policy); routes that change jobs ask for more with
/// <see cref="RequireScope{TBuilder}"/>; <c>/health</c>, <c>/alive</c> and the static assets
/// allow anyone.
/// </summary>
public static class AccessPolicies
{
    /// <summary>The claim that ties a login cookie to the key it was issued for.</summary>
    public const string FingerprintClaim = "key_fingerprint";

    public static string PolicyName(ApiScope scope) => $"scope:{scope.Name()}";

    public static AuthorizationPolicy For(ApiScope scope) => new AuthorizationPolicyBuilder()
        .RequireAuthenticatedUser()
        .RequireClaim(ApiScopes.ClaimType, Enum.GetValues<ApiScope>().Where(held => held.Covers(scope)).Select(held => held.Name()))
        .Build();

    public static void AddScopePolicies(this AuthorizationOptions options)
    {
        foreach (var scope in Enum.GetValues<ApiScope>())
        {
            options.AddPolicy(PolicyName(scope), For(scope));
        }

        options.FallbackPolicy = For(ApiScope.Read);
    }

    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, ApiScope scope) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PolicyName(scope)).WithMetadata(new RequiredScope(scope));

    /// <summary>The scope of the signed-in caller (key or dashboard cookie), if any.</summary>
    public static ApiScope? ScopeOf(System.Security.Claims.ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && ApiScopes.TryParse(user.FindFirst(ApiScopes.ClaimType)?.Value, out var scope) ? scope : null;
}
