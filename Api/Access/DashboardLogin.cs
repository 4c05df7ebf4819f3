using System.Security.Claims;
using System.Text.Encodings.Web;
using AspireJobs.Api.Dashboard;
using AspireJobs.Core.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace AspireJobs.Api.Access;

/// <summary>
/// The dashboard's sign-in: a page that takes an API key and, when it is valid, sets a cookie
/// carrying the key's name and scope (never the key). The cookie is HttpOnly and SameSite=Strict,
/// so no other site can send it; it lapses after 12 hours unused, and at once when its key is
/// rotated out. Browser pages without it are sent to sign in; other routes answer 401. It opens
/// the dashboard and the API's reference, never a route of the HTTP API (<c>/api/...</c>).
/// </summary>
public static partial class DashboardLogin
{
    public const string Scheme = "Dashboard";
    public const string CookieName = "aspirejobs_dashboard";
    public const string LoginPath = DashboardEndpoints.Path + "/login";
    public const string LogoutPath = DashboardEndpoints.Path + "/logout";

    /// <summary>Where the HTTP API's routes are, which take a key only.</summary>
    private const string ApiPath = "/api";

    private static readonly string Page = EmbeddedFile.Read(typeof(DashboardLogin).Assembly, "LoginPage.html");

    /// <summary>
    /// Whether a request without a key is judged by its cookie: it has one, or it is a page a
    /// browser opens; never a route of the HTTP API. A page served from another port of this host
    /// is the same site, so SameSite lets its browser send the cookie, with a form's or a script's
    /// POST that needs no preflight: the API's routes take a key, which no page can send unasked.
    /// </summary>
    public static bool CanUseCookie(HttpRequest request) =>
        !request.Path.StartsWithSegments(ApiPath) && (request.Cookies.ContainsKey(CookieName) || IsBrowserPage(request));

    public static void ConfigureCookie(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.ExpireTimeSpan = TimeSpan.FromHours(12);
        options.SlidingExpiration = true;
        options.LoginPath = LoginPath;
        options.LogoutPath = LogoutPath;
        options.Events = new CookieAuthenticationEvents
        {
            OnValidatePrincipal = context =>
            {
                if (!IsCurrent(context.HttpContext.RequestServices.GetRequiredService<ApiKeyRing>(), context.Principal!))
                {
                    context.RejectPrincipal();
                    return context.HttpContext.SignOutAsync(Scheme);
                }

                return Task.CompletedTask;
            },
            OnRedirectToLogin = context => IsBrowserPage(context.Request)
                ? Redirect(context)
                : ApiKeyAuthenticationHandler.WriteProblemAsync(context.HttpContext, Problems(context.HttpContext),
                    StatusCodes.Status401Unauthorized, "An API key is needed.", "The sign-in has lapsed; send an API key, or sign in again."),
            OnRedirectToAccessDenied = context => ApiKeyAuthenticationHandler.WriteProblemAsync(context.HttpContext, Problems(context.HttpContext),
                StatusCodes.Status403Forbidden, "The signed-in key's scope does not cover this route.", "Sign in with a key of a wider scope."),
        };
    }

    /// <summary>Whether a signed-in principal's key is still one the Api knows, with the same scope.</summary>
    public static bool IsCurrent(ApiKeyRing keys, ClaimsPrincipal principal) =>
        principal.Identity?.Name is { } name
        && keys.FindByFingerprint(name, principal.FindFirstValue(AccessPolicies.FingerprintClaim) ?? "") is { } key
        && key.Scope.Name() == principal.FindFirstValue(ApiScopes.ClaimType);

    public static IEndpointRouteBuilder MapDashboardLogin(this IEndpointRouteBuilder app)
    {
        app.MapGet(LoginPath, (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            LoginPageResult(context, antiforgery, returnUrl, error: null, StatusCodes.Status200OK)).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(LoginPath, SignInAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(LogoutPath, async (HttpContext context) =>
        {
            await context.SignOutAsync(Scheme);
            return Results.Redirect(LoginPath);
        }).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context, IAntiforgery antiforgery, ApiKeyRing keys, ILoggerFactory loggers, [Microsoft.AspNetCore.Mvc.FromForm] LoginForm form)
    {
        if (string.IsNullOrEmpty(form.Key) || keys.Find(form.Key) is not { } key)
        {
            LogRefused(loggers.CreateLogger(typeof(DashboardLogin)), context.Connection.RemoteIpAddress?.ToString());
            return LoginPageResult(context, antiforgery, form.ReturnUrl, "That is not a key the Api knows.", StatusCodes.Status401Unauthorized);
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(ApiKeyAuthenticationHandler.ClaimsOf(key), Scheme));
        await context.SignInAsync(Scheme, principal);
        return Results.LocalRedirect(IsLocal(form.ReturnUrl) ? form.ReturnUrl! : DashboardEndpoints.Path);
    }

    private static IResult LoginPageResult(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = Page
            .Replace("{{returnUrl}}", HtmlEncoder.Default.Encode(IsLocal(returnUrl) ? returnUrl! : DashboardEndpoints.Path), StringComparison.Ordinal)
            .Replace("{{tokenField}}", HtmlEncoder.Default.Encode(tokens.FormFieldName), StringComparison.Ordinal)
            .Replace("{{token}}", HtmlEncoder.Default.Encode(tokens.RequestToken ?? ""), StringComparison.Ordinal)
            .Replace("{{error}}", HtmlEncoder.Default.Encode(error ?? ""), StringComparison.Ordinal);
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>
    /// Only paths of this site, never <c>//other.site</c> or <c>/\other.site</c>, nor one with a
    /// control character, which a browser drops (<c>/&#9;/other.site</c> is <c>//other.site</c>
    /// to it) and the redirect refuses.
    /// </summary>
    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);

    private static bool IsBrowserPage(HttpRequest request) =>
        request.Path == "/" || request.Path.StartsWithSegments(DashboardEndpoints.Path) || request.Path.StartsWithSegments("/scalar");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static IProblemDetailsService Problems(HttpContext context) => context.RequestServices.GetRequiredService<IProblemDetailsService>();

    [LoggerMessage(Level = LogLevel.Warning, Message = "A dashboard sign-in from {Address} was refused: the key is not valid")]
    private static partial void LogRefused(ILogger logger, string? address);

    public sealed class LoginForm
    {
        public string? Key { get; set; }

        public string? ReturnUrl { get; set; }
    }
}
