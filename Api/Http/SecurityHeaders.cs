namespace AspireJobs.Api.Http;

/// <summary>
/// Headers that keep a browser from misusing the Api's pages (the dashboard, the API reference)
/// and its answers: no MIME sniffing, no framing by another site (clickjacking of the dashboard's
/// requeue, cancel and drain), no referrer leaving the Api, and on the dashboard no script but the
/// Api's own files: a job's payload or error that slipped past the pages' encoding could not run.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The dashboard's and every answer's policy: scripts, plugins, base and forms of the Api's own origin only.</summary>
    public const string ContentSecurityPolicy =
        "frame-ancestors 'none'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'";

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
