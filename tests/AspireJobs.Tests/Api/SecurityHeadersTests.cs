using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Api;

/// <summary>
/// The dashboard, the API reference and the routes answer with headers that forbid sniffing,
/// framing and referrers, and every answer but the API reference's page (which starts itself with
/// an inline script) allows scripts from the Api's own files only.
/// </summary>
public sealed class SecurityHeadersTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    [Theory]
    [InlineData("/dashboard", true)]
    [InlineData("/dashboard/jobs", true)]
    [InlineData("/dashboard/login", true)]
    [InlineData("/scalar/", false)]
    [InlineData("/scalarx", true)]
    [InlineData("/openapi/v1.json", true)]
    [InlineData("/api/queues", true)]
    [InlineData("/api/jobs/00000000-0000-0000-0000-000000000000", true)]
    public async Task EveryAnswer_ForbidsSniffingFramingAndReferrers(string path, bool ownScriptsOnly)
    {
        using var http = _system.Api();

        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal(
            ownScriptsOnly
                ? "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
                : "frame-ancestors 'none'",
            Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }
}
