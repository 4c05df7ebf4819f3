using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Api;

/// <summary>The dashboard, the API reference and the routes answer with headers that forbid sniffing, framing and referrers.</summary>
public sealed class SecurityHeadersTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/jobs")]
    [InlineData("/scalar/")]
    [InlineData("/api/queues")]
    [InlineData("/api/jobs/00000000-0000-0000-0000-000000000000")]
    public async Task EveryAnswer_ForbidsSniffingFramingAndReferrers(string path)
    {
        using var http = _system.Api();

        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }
}
