using AspireJobs.Api.Access;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AspireJobs.Tests.Dashboard;

/// <summary>
/// The whole application through its AppHost with two workers, and a headless chromium (Debian's,
/// driven by Playwright) pointed at its Api, shared by the dashboard's browser tests.
/// </summary>
public sealed class DashboardFixture(TestServers servers) : IAsyncLifetime
{
    /// <summary>Debian's chromium; Playwright's own browser download is not used.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public AspireJobsApp System { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress => System.Api.BaseAddress!;

    public async ValueTask InitializeAsync()
    {
        System = await AspireJobsApp.StartAsync(servers.CreateDirectory("dashboard"), workers: 2);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true });
        // Generous: a busy 2-core machine may take seconds to push an update.
        Assertions.SetDefaultExpectTimeout(30_000);
    }

    /// <summary>Signs <paramref name="page"/> in through the dashboard's sign-in page with the AppHost's key of <paramref name="scope"/>.</summary>
    public async Task SignInAsync(IPage page, ApiScope scope = ApiScope.Admin)
    {
        await page.GotoAsync("/dashboard/login");
        await page.GetByTestId("login-key").FillAsync(System.ApiKey(scope));
        await page.GetByTestId("login-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("signed-in")).ToContainTextAsync($"({scope.Name()})");
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (System is not null)
        {
            await System.DisposeAsync();
        }
    }
}
