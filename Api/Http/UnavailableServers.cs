using AspireJobs.Core.Dispatch;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;
using StackExchange.Redis;

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
        if (!IsUnavailable(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name, exception.Message);
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

    private static bool IsUnavailable(Exception exception) => exception switch
    {
        NpgsqlException { IsTransient: true } or RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        _ when RedisFailure.IsCommandDropped(exception) => true,
        { InnerException: { } inner } => IsUnavailable(inner),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: a server is unavailable ({ExceptionType}: {Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string exceptionType, string reason);
}
