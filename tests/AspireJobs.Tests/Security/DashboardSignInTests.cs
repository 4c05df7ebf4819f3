using System.Net;
using System.Text.RegularExpressions;
using AspireJobs.Api.Access;
using AspireJobs.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspireJobs.Tests.Security;

/// <summary>
/// The dashboard's sign-in through its form, as a browser sends it, against the in-process Api
/// on real PostgreSQL and Redis: what its cookie opens, and where the sign-in sends the browser.
/// </summary>
public sealed partial class DashboardSignInTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task TheSignInCookie_OpensTheDashboard_ButNoRouteOfTheHttpApi()
    {
        var job = await _system.Api().PostJsonAsync("/api/jobs", new { type = "noop", runAt = "2099-01-01T00:00:00Z" }, HttpStatusCode.Created);
        using var browser = Browser();
        using var signIn = await SignInAsync(browser, returnUrl: "/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        // A form another page on this host posts, the cookie sent along: refused, nothing changed.
        using var cancel = await browser.PostAsync($"/api/jobs/{job.Id()}/cancel", null, Token);
        using var create = await browser.PostAsync("/api/jobs", new StringContent("{\"type\":\"noop\"}"), Token);
        using var read = await browser.GetAsync($"/api/jobs/{job.Id()}", Token);
        using var dashboard = await browser.GetAsync("/dashboard", Token);

        Assert.Equal(
            (HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.OK),
            (cancel.StatusCode, create.StatusCode, read.StatusCode, dashboard.StatusCode));
        Assert.Equal("scheduled", (await _system.Api().GetJsonAsync($"/api/jobs/{job.Id()}")).GetProperty("status").GetString());
        Assert.Equal(1L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs"));
    }

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/")]
    public async Task ASignInsReturnUrlThatLeavesTheSite_SendsTheBrowserToTheDashboard(string returnUrl)
    {
        using var browser = Browser();

        using var signIn = await SignInAsync(browser, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/dashboard", signIn.Headers.Location?.OriginalString);
        Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith(DashboardLogin.CookieName + "=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CallersWithAWrongKeyOverTheirRate_DoNotLockAnyoneOutOfTheSignIn()
    {
        await using var host = _system.CreateApiHost([new("Api:RateLimits:Anonymous:PermitsPerSecond", "1"), new("Api:RateLimits:Anonymous:Burst", "3")]);
        using var stale = host.CreateClient();
        stale.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, "a-key-rotated-out-0000000000000000");
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await stale.GetAsync("/api/queues", Token);
            answers.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        using var browser = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        using var dashboard = await browser.GetAsync("/dashboard", Token);
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode); // to the sign-in
        using var signIn = await SignInAsync(browser, returnUrl: "/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    /// <summary>A client that keeps cookies and sends no key, as a browser does; redirects are left to the test.</summary>
    private HttpClient Browser() => _system.ApiHost.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Opens the sign-in page, then posts its form with the admin key and its antiforgery token.</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string returnUrl)
    {
        var page = await browser.GetStringAsync(DashboardLogin.LoginPath, Token);
        var token = HiddenField().Matches(page).Single(m => m.Groups["name"].Value != "returnUrl");
        return await browser.PostAsync(DashboardLogin.LoginPath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["key"] = TestApiKeys.For(ApiScope.Admin),
            ["returnUrl"] = returnUrl,
            [WebUtility.HtmlDecode(token.Groups["name"].Value)] = WebUtility.HtmlDecode(token.Groups["value"].Value),
        }), Token);
    }

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" />""")]
    private static partial Regex HiddenField();
}
