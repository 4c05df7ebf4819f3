namespace AspireJobs.Api.Http;

/// <summary>
/// Every error answer is an RFC 7807 problem: PostgreSQL or Redis unreachable becomes a 503
/// (<see cref="UnavailableServers"/>), any other thrown exception a 500 problem without internals, and bare status codes (an unknown route, a wrong method) become problems too, whatever the client accepts (<see cref="ProblemForAnyClient"/>).
/// </summary>
public static class ProblemResponses
{
    public static IHostApplicationBuilder AddProblemResponses(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        // After the framework's writer: used only for the clients it declines.
        builder.Services.AddSingleton<IProblemDetailsWriter, ProblemForAnyClient>();
        builder.Services.AddExceptionHandler<UnavailableServers>();
        return builder;
    }

    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
