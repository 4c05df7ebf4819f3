using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace AspireJobs.Api.Access;

/// <summary>
/// Checks the signed-in key of an open dashboard page again every few seconds. A page runs over
/// one circuit for as long as it stays open, and the cookie's own check runs only on HTTP
/// requests: without this, a page opened with a key later rotated out (or given another scope)
/// kept showing, and running, that key's actions. A key no longer current signs the page out.
/// </summary>
public sealed class DashboardKeyRevalidation(ILoggerFactory loggers, ApiKeyRing keys) : RevalidatingServerAuthenticationStateProvider(loggers)
{
    /// <summary>About as often as the keys file is looked at (every 4 s).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override TimeSpan RevalidationInterval => Interval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        Task.FromResult(authenticationState.User.Identity?.IsAuthenticated != true || DashboardLogin.IsCurrent(keys, authenticationState.User));
}
