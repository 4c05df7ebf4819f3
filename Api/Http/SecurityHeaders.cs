namespace AspireJobs.Api.Http;

/// <summary>
/// Headers that keep a browser from misusing the Api's pages (the dashboard, the API reference)
/// and its answers: no MIME sniffing, no framing by another site (clickjacking of the dashboard's
/// requeue, cancel and drain), no referrer leaving the Api, and on the dashboard no script but the
/// Api's own files: a job's payload or error that slipped past the pages' encoding could not run.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// The dashboard's and every answer's policy: everything from the Api's own origin only, and
    /// no inline script. Inline styles stay allowed (the pages size bars and charts with them;
    /// a style cannot run code), and images may be data: URLs (the page's empty icon). FluentUI
    /// would fetch SortableJS and IMask from unpkg.com for its sortable lists and masked inputs:
    /// the dashboard uses neither, and this policy would refuse them.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Scalar's reference page starts itself with an inline script, so it keeps the framing rule alone.</summary>
    private const string ReferencePolicy = "frame-ancestors 'none'";

    private const string ReferencePath = "/scalar";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(ReferencePath) ? ReferencePolicy : ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return next(context);
        });
        return app;
    }
}
