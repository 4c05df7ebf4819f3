using System.Globalization;
using System.Threading.RateLimiting;
using AspireJobs.ServiceDefaults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AspireJobs.Api.Access;

/// <summary>
/// ASP.NET Core's rate limiter, in two layers. Every request draws from a token bucket of its API
/// key (sized by the key's scope), or, without a valid key, of its client address (one bucket
/// for requests that send a key that is not valid, another for those that send none); the expensive
/// routes (a job's graph, search, restore) also need one of a few slots (<see cref="Expensive"/>).
/// A refused request answers 429 with <c>Retry-After</c>, before anything is read or written.
/// </summary>
public static class RequestRateLimits
{
    /// <summary>The policy of the routes whose cost grows with the data: at most a few at once.</summary>
    public const string Expensive = "expensive";

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    public static IHostApplicationBuilder AddRequestRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<ApiOptions>>((limiter, api) =>
        {
            var options = api.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => PartitionOf(context, options.RateLimits));
            limiter.AddConcurrencyLimiter(Expensive, expensive =>
            {
                expensive.PermitLimit = options.ExpensiveConcurrency;
                expensive.QueueLimit = options.ExpensiveQueue;
                expensive.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            limiter.OnRejected = RejectAsync;
        });
        return builder;
    }

    public static TBuilder LimitAsExpensive<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(Expensive);

    private static RateLimitPartition<string> PartitionOf(HttpContext context, RateLimitsOptions limits)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments(HealthEndpoints.HealthPath) || path.StartsWithSegments(HealthEndpoints.AlivePath))
        {
            return RateLimitPartition.GetNoLimiter("health");
        }

        var scope = AccessPolicies.ScopeOf(context.User);
        var partition = scope is { } held
            ? $"key:{context.User.Identity!.Name}:{held.Name()}"
            : ApiKeyAuthenticationHandler.CarriesKey(context.Request)
                // A key that is not valid draws from a bucket apart from a browser's (no key): on
                // loopback every caller has one address, and a client looping on a key rotated out
                // would otherwise lock everyone out of the dashboard and its sign-in.
                ? $"wrong-key:{context.Connection.RemoteIpAddress}"
                : $"address:{context.Connection.RemoteIpAddress}";
        var limit = limits.For(scope);
        return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Burst,
            // Refilled in small steps, so a client at the limit sees a steady rate rather than a
            // burst once a second.
            ReplenishmentPeriod = limit.PermitsPerSecond >= 10 ? Tick : TimeSpan.FromSeconds(1.0 / limit.PermitsPerSecond),
            TokensPerPeriod = Math.Max(1, limit.PermitsPerSecond / 10),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ApiKeyAuthenticationHandler.WriteProblemAsync(context, context.RequestServices.GetRequiredService<IProblemDetailsService>(),
            StatusCodes.Status429TooManyRequests, "Too many requests.",
            $"This caller is over its request rate, or too many expensive requests are running. Try again in {seconds} s.");
    }
}
