namespace AspireJobs.Api.Http;

/// <summary>
/// The problem writer of last resort. ASP.NET Core's own writes a problem only for a client that
/// accepts JSON (or says nothing); for one that sent <c>Accept: text/plain</c> a bare status code
/// became plain text, and a refused key a bodiless 500 (<c>IProblemDetailsService.WriteAsync</c>
/// throws when no writer accepts). An error is an RFC 7807 problem whatever the client accepts:
/// this writer takes what the others decline and has the framework's own write it as
/// <c>application/problem+json</c>.
/// </summary>
public sealed class ProblemForAnyClient(IServiceProvider services) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        // The answer is all that is left of the request: its Accept has been read by everything
        // that negotiates, and saying problem+json to the framework's writer makes it write one.
        context.HttpContext.Request.Headers.Accept = "application/problem+json";
        var writer = services.GetServices<IProblemDetailsWriter>().First(w => w is not ProblemForAnyClient && w.CanWrite(context));
        return writer.WriteAsync(context);
    }
}
