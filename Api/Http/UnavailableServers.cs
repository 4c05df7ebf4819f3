using AspireJobs.Core.Outages;
using Microsoft.AspNetCore.Diagnostics;

namespace AspireJobs.Api.Http;

/// <summary>
/// PostgreSQL or Redis unreachable (restarting, failing over, out of connections) is the Api's
/// trouble for a moment, not a fault of the request: it answers 503 with <c>Retry-After</c>, as a
/// problem that names neither the server nor the error, so a client retries (with its
/// idempotency key) instead of giving up on a 500.
/// </summary>
public sealed partial class UnavailableServers(IProblemDetailsService problems, ILogger<UnavailableServers> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (ServerOutage.Of(exception) is not { } outage || httpContext.Response.HasStarted)
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, outage.Server, outage.Reason);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "1";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The job store is unavailable for a moment.",
                Detail = "Nothing was acknowledged. Try again shortly; a create with an idempotencyKey is safe to repeat.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: {Server} is unavailable ({Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string server, string reason);
}
