using System.Net;
using AspireJobs.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.Tests.Security;

/// <summary>
/// An exception inside the Api answers a 500 problem that says nothing of it: no message, no type,
/// no stack trace, in Production as in Development (where the developer exception page would).
/// </summary>
public sealed class ProblemDetailsTests(TestServers servers) : IAsyncLifetime
{
    private const string Secret = "connection to 10.1.2.3 refused for user jobs_admin";

    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public async Task AnExceptionInARoute_AnswersAProblemWithoutItsText(string environment)
    {
        await using var host = _system.CreateApiHost([]).WithWebHostBuilder(web =>
        {
            web.UseEnvironment(environment);
            web.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new ThrowingRoute(() => new InvalidOperationException(Secret))));
        });
        using var http = host.CreateClient().WithKey(AspireJobs.Api.Access.ApiScope.Read);

        using var response = await http.GetAsync(ThrowingRoute.Path, Token);
        var body = await response.Content.ReadAsStringAsync(Token);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithPostgreSqlUnreachable_TheApiAnswers503WithRetryAfter_NotA500()
    {
        await using var host = _system.CreateApiHost([new("ConnectionStrings:jobsdb", $"Host=127.0.0.1;Port={FreePortWithNothingOnIt()};Username=u;Password=p;Database=d;Timeout=2")]);
        using var http = host.CreateClient().WithKey(AspireJobs.Api.Access.ApiScope.Write);

        using var response = await http.PostAsync("/api/jobs", new StringContent("""{"type":"noop"}""", System.Text.Encoding.UTF8, "application/json"), Token);
        var body = await response.Content.ReadAsStringAsync(Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("Retry-After")));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Npgsql", body, StringComparison.Ordinal);
    }

    /// <summary>
    /// Redis lost under a route, in the shapes StackExchange.Redis throws it: each is a server away
    /// for a moment, answered 503 like PostgreSQL unreachable, never 500.
    /// </summary>
    [Theory]
    [InlineData("a bare socket error")]
    [InlineData("a socket error inside an IOException")]
    [InlineData("a command dropped with its connection")]
    [InlineData("no connection")]
    public async Task RedisLostUnderARoute_Answers503WithRetryAfter(string shape)
    {
        Func<Exception> thrown = shape switch
        {
            "a bare socket error" => () => new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset),
            "a socket error inside an IOException" => () => new IOException("Unable to read data", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset)),
            "a command dropped with its connection" => () => new TaskCanceledException(),
            "no connection" => () => new StackExchange.Redis.RedisConnectionException(StackExchange.Redis.ConnectionFailureType.UnableToConnect, Secret),
            _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "no such shape"),
        };
        await using var host = _system.CreateApiHost([]).WithWebHostBuilder(web =>
            web.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new ThrowingRoute(thrown))));
        using var http = host.CreateClient().WithKey(AspireJobs.Api.Access.ApiScope.Read);

        using var response = await http.GetAsync(ThrowingRoute.Path, Token);
        var body = await response.Content.ReadAsStringAsync(Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("Retry-After")));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
    }

    private static int FreePortWithNothingOnIt()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A route that throws, added behind the Api's own pipeline (so its exception handler is outside it).</summary>
    private sealed class ThrowingRoute(Func<Exception> thrown) : IStartupFilter
    {
        public const string Path = "/test-only/throws";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Map(Path, branch => branch.Run(_ => throw thrown()));
        };
    }
}
