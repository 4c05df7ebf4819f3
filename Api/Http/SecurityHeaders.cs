namespace AspireJobs.Api.Http;

/// <summary>
/// Headers that keep a browser from misusing the Api's pages (the dashboard, the API reference)
/// and its answers: no MIME sniffing, no framing by another site (clickjacking of the dashboard's
/// requeue, cancel and drain), no referrer leaving the Api.
/// </summary>
public static class SecurityHeaders
{
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return next(context);
        });
        return app;
    }
}
