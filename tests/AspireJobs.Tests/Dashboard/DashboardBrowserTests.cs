using System.Net;
using System.Text.Json;
using AspireJobs.Api.Access;
using AspireJobs.Tests.EndToEnd;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AspireJobs.Tests.Dashboard;

/// <summary>
/// The job dashboard in a real browser against the whole application: each page shows what the
/// Api says, changes arrive by server push without a reload, and requeue, cancel and drain work
/// from the UI. Each page's screenshot goes to the test output (screenshots/ beside the tests,
/// and attached to the test's result).
/// </summary>
public sealed class DashboardBrowserTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>, IAsyncLifetime
{
    private static readonly string[] CountKeys =
        ["queued-high", "queued-medium", "queued-low", "scheduled", "waiting", "running", "completed", "dead-lettered", "cancelled"];

    private readonly List<string> _problems = [];
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    private HttpClient Api => fixture.System.Api;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.BaseAddress.ToString(), ViewportSize = new() { Width = 1400, Height = 900 } });
        _page = await _context.NewPageAsync();
        var origin = fixture.BaseAddress.GetLeftPart(UriPartial.Authority);
        _page.PageError += (_, error) => _problems.Add($"page error: {error}");
        WatchPolicy(_page);
        _page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                _problems.Add($"asset from elsewhere: {request.Url}");
            }
        };
        _page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                _problems.Add($"{response.Status} for {response.Url}");
            }
        };
        await fixture.SignInAsync(_page);
    }

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        Assert.Empty(_problems);
    }

    /// <summary>Whatever the dashboard needs must run under its Content-Security-Policy: anything the browser refuses is a problem.</summary>
    private IPage WatchPolicy(IPage page)
    {
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                _problems.Add($"refused by the page's policy: {message.Text}");
            }
        };
        return page;
    }

    /// <summary>Opens a page and waits until it is live over its circuit.</summary>
    private async Task OpenAsync(string path)
    {
        await _page.GotoAsync(path);
        await Expect(_page.GetByTestId("interactive")).ToHaveAttributeAsync("data-interactive", "true");
    }

    private async Task ConfirmAsync(string button)
    {
        await Expect(_page.GetByRole(AriaRole.Alertdialog)).ToBeVisibleAsync();
        var dialog = _page.Locator("fluent-dialog");
        await dialog.Locator("fluent-button", new() { HasText = button }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
    }

    private async Task ScreenshotAsync(string name)
    {
        var bytes = await _page.ScreenshotAsync(new() { FullPage = true, Animations = ScreenshotAnimations.Disabled });
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, name + ".png"), bytes, Token);
        TestContext.Current.AddAttachment(name + ".png", bytes, "image/png");
    }

    private async Task<Dictionary<string, long>> PageCountsAsync()
    {
        var counts = new Dictionary<string, long>();
        foreach (var key in CountKeys)
        {
            counts[key] = long.Parse(await _page.GetByTestId($"count-{key}").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    }

    private async Task<Dictionary<string, long>> ApiCountsAsync()
    {
        var queues = await Api.GetJsonAsync("/api/queues");
        var queued = queues.GetProperty("queued");
        return new Dictionary<string, long>
        {
            ["queued-high"] = queued.GetProperty("high").GetInt64(),
            ["queued-medium"] = queued.GetProperty("medium").GetInt64(),
            ["queued-low"] = queued.GetProperty("low").GetInt64(),
            ["scheduled"] = queues.GetProperty("scheduled").GetInt64(),
            ["waiting"] = queues.GetProperty("waiting").GetInt64(),
            ["running"] = queues.GetProperty("running").GetInt64(),
            ["completed"] = queues.GetProperty("completed").GetInt64(),
            ["dead-lettered"] = queues.GetProperty("deadLettered").GetInt64(),
            ["cancelled"] = queues.GetProperty("cancelled").GetInt64(),
        };
    }

    private Task<JsonElement> CreateLaterAsync(string type, object? payload = null) =>
        Api.PostJsonAsync("/api/jobs", new { type, payload = payload ?? new { }, runAt = DateTime.UtcNow.AddHours(1) }, HttpStatusCode.Created);

    [Fact]
    public async Task Overview_ShowsTheApisCounts_AndANewJobArrivesWithoutAReload()
    {
        await CreateLaterAsync("dashboard.later");
        await AppHostEndToEndTests.PollAsync(Api, "/api/queues", queues => queues.GetProperty("scheduled").GetInt64() >= 1);

        await OpenAsync("/");

        Assert.EndsWith("/dashboard", _page.Url, StringComparison.Ordinal);
        // Nothing runs in this test, so the two agree once the page has read them.
        await EventuallyAsync(async () => (await PageCountsAsync()).SequenceEqual(await ApiCountsAsync()), "the overview's counts to equal /api/queues");
        await _page.EvaluateAsync("window.notReloaded = true");
        var scheduled = (await PageCountsAsync())["scheduled"];

        await CreateLaterAsync("dashboard.later");

        await Expect(_page.GetByTestId("count-scheduled")).ToHaveTextAsync((scheduled + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(await _page.EvaluateAsync<bool>("window.notReloaded === true"), "the page was reloaded");

        // Work shows in the counts and, folded within seconds, in the throughput chart.
        var completed = (await PageCountsAsync())["completed"];
        await Api.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 300).Select(_ => new { type = "noop" }).ToArray() }, HttpStatusCode.Created);
        await EventuallyAsync(async () => (await PageCountsAsync())["completed"] >= completed + 300, "300 more completed jobs on the overview");
        var chartTop = _page.Locator("[data-testid=chart-throughput] text");
        await EventuallyAsync(async () => await chartTop.CountAsync() == 1 && await chartTop.TextContentAsync() != "1", "the throughput chart to rise above its floor of 1 job/s");
        await ScreenshotAsync("overview");
    }

    [Fact]
    public async Task ADashboardPage_RunsTheApisOwnScripts_ButNoInlineOne()
    {
        await OpenAsync("/dashboard/jobs");

        // As a payload that slipped past the page's encoding would: an inline script in the page.
        var ran = await _page.EvaluateAsync<bool>("""
            () => {
                const script = document.createElement('script');
                script.textContent = 'window.injectedScriptRan = true';
                document.head.appendChild(script);
                return window.injectedScriptRan === true;
            }
            """);

        Assert.False(ran, "an inline script ran on the dashboard");
        await EventuallyAsync(() => Task.FromResult(_problems.Any(problem => problem.StartsWith("refused by the page's policy", StringComparison.Ordinal))), "the browser to report the refused script");
        _problems.RemoveAll(problem => problem.StartsWith("refused by the page's policy", StringComparison.Ordinal) && problem.Contains("inline script", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Jobs_FilterByType_OpenTheDetail_AndCancelFromTheUi()
    {
        var type = $"dashboard.cancel.{Guid.NewGuid():N}"[..40];
        var id = (await CreateLaterAsync(type, new { hello = "dashboard" })).Id();
        await CreateLaterAsync("dashboard.other");

        await OpenAsync("/dashboard/jobs");
        await _page.Locator("[data-testid=filter-type] input").FillAsync(type);
        await _page.Locator("[data-testid=filter-type] input").PressAsync("Tab");

        await Expect(_page.Locator("a[data-testid^=job-]")).ToHaveCountAsync(1);
        await Expect(_page.GetByTestId($"status-{id}")).ToHaveTextAsync("scheduled");
        await ScreenshotAsync("jobs");

        await _page.GetByTestId($"job-{id}").ClickAsync();
        await _page.WaitForURLAsync($"**/dashboard/jobs/{id}");
        await Expect(_page.GetByTestId("job-type")).ToHaveTextAsync(type);
        await Expect(_page.GetByTestId("job-payload")).ToContainTextAsync("\"hello\": \"dashboard\"");

        await _page.GetByTestId("job-cancel").ClickAsync();
        await ConfirmAsync("Cancel job");

        await Expect(_page.GetByTestId("job-status")).ToHaveTextAsync("cancelled");
        Assert.Equal("cancelled", (await Api.GetJsonAsync($"/api/jobs/{id}")).Status());
    }

    [Fact]
    public async Task Jobs_PageOlderAndNewer_ThroughAFilteredList_KeepingTheFilter()
    {
        var type = $"dashboard.pages.{Guid.NewGuid():N}"[..40];
        var created = await Api.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 60).Select(_ => new { type, runAt = DateTime.UtcNow.AddHours(1) }).ToArray() }, HttpStatusCode.Created);
        var ids = created.GetProperty("ids").EnumerateArray().Select(id => id.GetGuid()).OrderDescending().ToList();

        await OpenAsync("/dashboard/jobs");
        await _page.Locator("[data-testid=filter-type] input").FillAsync(type);
        await _page.Locator("[data-testid=filter-type] input").PressAsync("Tab");
        var rows = _page.Locator("a[data-testid^=job-]");
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(_page.GetByTestId($"job-{ids[0]}")).ToHaveCountAsync(1);

        // Newest first: the older page holds the ten oldest, and no job of the first.
        await _page.GetByTestId("page-older").ClickAsync();
        await Expect(rows).ToHaveCountAsync(10);
        await Expect(_page.GetByTestId($"job-{ids[50]}")).ToHaveCountAsync(1);
        await Expect(_page.GetByTestId($"job-{ids[49]}")).ToHaveCountAsync(0);

        await _page.GetByTestId("page-newer").ClickAsync();
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(_page.GetByTestId($"job-{ids[0]}")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task DeadLetters_ASelection_OutlivesTurningThePage_AndIsRequeuedWhole()
    {
        var created = await Api.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 51).Select(_ => new { type = "fail", payload = new { always = true }, maxRetries = 0 }).ToArray() }, HttpStatusCode.Created);
        var ids = created.GetProperty("ids").EnumerateArray().Select(id => id.GetGuid()).OrderDescending().ToList();
        await EventuallyAsync(
            async () => (await Task.WhenAll(ids.Select(id => Api.GetJsonAsync($"/api/jobs/{id}")))).All(job => job.Status() == "dead_lettered"),
            "the 51 jobs to be dead-lettered");

        // Newest first, fifty to a page: the newest on the first page, the oldest alone on the next.
        await OpenAsync("/dashboard/dead-letters");
        await _page.GetByTestId($"select-{ids[0]}").CheckAsync();
        await _page.GetByTestId("page-older").ClickAsync();
        await _page.GetByTestId($"select-{ids[50]}").CheckAsync();
        await Expect(_page.GetByTestId("requeue-selected")).ToContainTextAsync("(2)");

        await _page.GetByTestId("requeue-selected").ClickAsync();
        await ConfirmAsync("Requeue");
        await Expect(_page.GetByTestId("dead-letters-message")).ToContainTextAsync("Requeued 2 of 2");
        await Expect(_page.GetByTestId("requeue-selected")).ToContainTextAsync("(0)");
    }

    [Fact]
    public async Task DeadLetters_RequeueSelected_AfterAConfirmation_AndTheDetailShowsBothAttempts()
    {
        var id = (await Api.PostJsonAsync("/api/jobs", new { type = "fail", payload = new { times = 1, message = "flaky on first try" }, maxRetries = 0 }, HttpStatusCode.Created)).Id();
        await AppHostEndToEndTests.PollAsync(Api, $"/api/jobs/{id}", job => job.Status() == "dead_lettered");

        await OpenAsync("/dashboard/dead-letters");
        await Expect(_page.GetByTestId($"status-{id}")).ToHaveTextAsync("dead_lettered");
        await _page.GetByTestId($"select-{id}").CheckAsync();
        await Expect(_page.GetByTestId("requeue-selected")).ToContainTextAsync("(1)");
        await ScreenshotAsync("dead-letters");
        await _page.GetByTestId("requeue-selected").ClickAsync();
        await ConfirmAsync("Requeue");

        await Expect(_page.GetByTestId("dead-letters-message")).ToContainTextAsync("Requeued 1 of 1");
        await AppHostEndToEndTests.PollAsync(Api, $"/api/jobs/{id}", job => job.Status() == "completed");
        await Expect(_page.GetByTestId($"status-{id}")).ToHaveCountAsync(0);

        await OpenAsync($"/dashboard/jobs/{id}");
        await Expect(_page.GetByTestId("job-status")).ToHaveTextAsync("completed");
        await Expect(_page.GetByTestId("attempt-1")).ToHaveTextAsync("failed");
        await Expect(_page.GetByTestId("attempt-2")).ToHaveTextAsync("completed");
        await ScreenshotAsync("job-detail");
    }

    [Fact]
    public async Task JobDetail_ShowsTheEarlierFailuresLikeIts_OnceTheIndexerStoredThem()
    {
        var error = $"InvalidOperationException: ledger {Random.Shared.Next(1000, 9999)} refused the transfer";
        var earlier = (await Api.PostJsonAsync("/api/jobs", new { type = "fail", payload = new { times = 1, message = error }, maxRetries = 0 }, HttpStatusCode.Created)).Id();
        await AppHostEndToEndTests.PollAsync(Api, $"/api/jobs/{earlier}", job => job.Status() == "dead_lettered");
        var later = (await Api.PostJsonAsync("/api/jobs", new { type = "fail", payload = new { times = 1, message = error }, maxRetries = 0 }, HttpStatusCode.Created)).Id();
        await AppHostEndToEndTests.PollAsync(Api, $"/api/jobs/{later}", job => job.Status() == "dead_lettered");

        await OpenAsync($"/dashboard/jobs/{later}");

        // The page searches again every refresh until the indexer has stored the attempt; it never runs the model itself.
        await EventuallyAsync(async () => await _page.GetByTestId("job-similar").CountAsync() == 1
            && (await _page.GetByTestId("job-similar").TextContentAsync())!.Contains(earlier.ToString()[^12..], StringComparison.Ordinal),
            "the earlier failure among the similar executions");
        await Expect(_page.GetByTestId("job-similar")).ToContainTextAsync("refused the transfer");
        await ScreenshotAsync("job-similar");
    }

    [Fact]
    public async Task Snapshots_TakeOne_ThenPutBackACancelledJob_AfterADryRunThatChangesNothing()
    {
        var id = (await CreateLaterAsync("dashboard.snapshot")).Id();
        var label = $"before-{Guid.NewGuid():N}"[..24];

        await OpenAsync("/dashboard/snapshots");
        await _page.Locator("[data-testid=snapshot-label] input").FillAsync(label);
        await _page.Locator("[data-testid=snapshot-label] input").PressAsync("Tab");
        await _page.GetByTestId("take-full").ClickAsync();
        await Expect(_page.GetByTestId("snapshots-message")).ToContainTextAsync("Took a full snapshot");
        var snapshot = Assert.Single((await Api.GetJsonAsync("/api/snapshots")).GetProperty("items").EnumerateArray(), s => s.GetProperty("label").GetString() == label).Id();
        await Expect(_page.GetByTestId($"snapshot-{snapshot}")).ToContainTextAsync(label);
        await Api.PostJsonAsync($"/api/jobs/{id}/cancel", HttpStatusCode.OK);

        await _page.GetByTestId($"restore-{snapshot}").ClickAsync();
        await Expect(_page.GetByTestId("restore-plan-summary")).ToContainTextAsync("Dry run");
        await Expect(_page.GetByTestId("restore-examples")).ToContainTextAsync(id.ToString());
        Assert.Equal("cancelled", (await Api.GetJsonAsync($"/api/jobs/{id}")).Status());
        await ScreenshotAsync("snapshots");

        await _page.GetByTestId("restore-apply").ClickAsync();
        await ConfirmAsync("Apply");

        await Expect(_page.GetByTestId("snapshots-message")).ToContainTextAsync("Restored");
        await Expect(_page.GetByTestId("restore-plan-summary")).ToContainTextAsync("Applied");
        Assert.Equal("scheduled", (await Api.GetJsonAsync($"/api/jobs/{id}")).Status());
    }

    [Fact]
    public async Task Snapshots_ALabelTooLong_SaysSo_AndThePageGoesOn()
    {
        await OpenAsync("/dashboard/snapshots");
        await _page.Locator("[data-testid=snapshot-label] input").FillAsync(new string('x', 201));
        await _page.Locator("[data-testid=snapshot-label] input").PressAsync("Tab");
        await _page.GetByTestId("take-full").ClickAsync();

        await Expect(_page.GetByTestId("snapshots-message")).ToContainTextAsync("1-200 characters");
        // The page still answers: the error ended nothing.
        await _page.Locator("[data-testid=snapshot-label] input").FillAsync("fine");
        await _page.Locator("[data-testid=snapshot-label] input").PressAsync("Tab");
        await _page.GetByTestId("take-full").ClickAsync();
        await Expect(_page.GetByTestId("snapshots-message")).ToContainTextAsync("Took a full snapshot");
    }

    [Fact]
    public async Task APageOpenWithAKeyRotatedOut_IsSentToSignIn_WithItsActions()
    {
        var keysFile = Path.Combine(fixture.System.DataDirectory, AspireJobs.AppHost.Services.ApiKeys.KeysFileName);
        var key = $"rotated-{Guid.NewGuid():N}";
        await File.WriteAllTextAsync(keysFile, $$"""{ "Api": { "Keys": { "ops": { "Key": "{{key}}", "Scope": "admin" } } } }""", Token);
        try
        {
            using var withKey = new HttpClient { BaseAddress = fixture.BaseAddress };
            withKey.DefaultRequestHeaders.Add("X-Api-Key", key);
            await EventuallyAsync(async () => (await withKey.GetAsync("/api/queues", Token)).IsSuccessStatusCode, "the added key to be accepted");
            await using var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.BaseAddress.ToString() });
            var page = WatchPolicy(await context.NewPageAsync());
            await page.GotoAsync("/dashboard/login");
            await page.GetByTestId("login-key").FillAsync(key);
            await page.GetByTestId("login-submit").ClickAsync();
            await page.GotoAsync("/dashboard/snapshots");
            await Expect(page.GetByTestId("interactive")).ToHaveAttributeAsync("data-interactive", "true");
            await Expect(page.GetByTestId("take-full")).ToBeVisibleAsync();

            await File.WriteAllTextAsync(keysFile, "{}", Token);
            await EventuallyAsync(async () => (await withKey.GetAsync("/api/queues", Token)).StatusCode == HttpStatusCode.Unauthorized, "the removed key to be refused");

            // The open page, never reloaded by anyone, is sent to sign in again.
            await Expect(page.GetByTestId("login-key")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("take-full")).ToHaveCountAsync(0);
        }
        finally
        {
            File.Delete(keysFile);
        }
    }

    [Fact]
    public async Task Workers_ShowTheFleetAsTheApiDoes_AndDrainFromTheUi()
    {
        var workers = (await Api.GetJsonAsync("/api/workers")).EnumerateArray().Where(w => w.GetProperty("status").GetString() == "active").ToList();
        Assert.Equal(2, workers.Count);

        await OpenAsync("/dashboard/workers");
        foreach (var worker in workers)
        {
            await Expect(_page.GetByTestId($"worker-status-{worker.Id()}")).ToHaveTextAsync("active");
        }

        await ScreenshotAsync("workers");
        var drained = workers[0].Id();
        await _page.GetByTestId($"drain-{drained}").ClickAsync();
        await ConfirmAsync("Drain");

        await Expect(_page.GetByTestId($"worker-status-{drained}")).ToHaveTextAsync("draining");
        var after = (await Api.GetJsonAsync("/api/workers")).EnumerateArray().Single(w => w.Id() == drained);
        Assert.Equal("draining", after.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Anomalies_ListWhatTheApiLists()
    {
        await OpenAsync("/dashboard/anomalies");

        // The health monitor may record one meanwhile: the two agree once the page has read it.
        await EventuallyAsync(async () =>
        {
            var listed = (await Api.GetJsonAsync("/api/health/anomalies")).GetProperty("items").GetArrayLength();
            var shown = await _page.Locator("tr[data-testid^=anomaly-]").CountAsync();
            return shown == listed && (listed > 0 || await _page.GetByTestId("anomalies-empty").IsVisibleAsync());
        }, "the anomalies page to list what /api/health/anomalies lists");
        await ScreenshotAsync("anomalies");
    }

    [Fact]
    public async Task WithoutSigningIn_ThePageAsksForAKey_AndAWrongKeyIsRefused()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.BaseAddress.ToString() });
        var page = WatchPolicy(await context.NewPageAsync());

        await page.GotoAsync("/dashboard/workers");
        Assert.Contains("/dashboard/login", page.Url, StringComparison.Ordinal);

        await page.GetByTestId("login-key").FillAsync("not-a-key-of-this-api");
        await page.GetByTestId("login-submit").ClickAsync();
        await Expect(page.GetByTestId("login-error")).ToContainTextAsync("not a key");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == DashboardLogin.CookieName);

        await page.GetByTestId("login-key").FillAsync(fixture.System.ApiKey());
        await page.GetByTestId("login-submit").ClickAsync();
        // Back where the browser was going, signed in; the cookie is the key's name and scope, never the key.
        await Expect(page.GetByTestId("signed-in")).ToHaveTextAsync("admin (admin)");
        Assert.EndsWith("/dashboard/workers", page.Url, StringComparison.Ordinal);
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == DashboardLogin.CookieName);
        Assert.True((cookie.HttpOnly, cookie.SameSite) == (true, SameSiteAttribute.Strict), $"{cookie.HttpOnly} {cookie.SameSite}");
        Assert.DoesNotContain(fixture.System.ApiKey(), cookie.Value, StringComparison.Ordinal);

        await page.GetByTestId("sign-out").ClickAsync();
        await page.WaitForURLAsync("**/dashboard/login");
        await page.GotoAsync("/dashboard");
        Assert.Contains("/dashboard/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedInWithAReadOnlyKey_TheDashboardShowsEverything_ButOffersNoAction()
    {
        var failed = await Api.PostJsonAsync("/api/jobs", new { type = "fail", payload = new { always = true }, maxRetries = 0 }, HttpStatusCode.Created);
        await AppHostEndToEndTests.PollAsync(Api, $"/api/jobs/{failed.Id()}", j => j.Status() == "dead_lettered");
        var later = await CreateLaterAsync("dashboard.readonly");
        await using var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.BaseAddress.ToString() });
        var page = WatchPolicy(await context.NewPageAsync());

        await fixture.SignInAsync(page, ApiScope.Read);

        await page.GotoAsync($"/dashboard/jobs/{later.Id()}");
        await Expect(page.GetByTestId("job-status")).ToHaveTextAsync("scheduled");
        await Expect(page.GetByTestId("job-cancel")).ToHaveCountAsync(0);
        await page.GotoAsync($"/dashboard/jobs/{failed.Id()}");
        await Expect(page.GetByTestId("job-status")).ToHaveTextAsync("dead_lettered");
        await Expect(page.GetByTestId("job-requeue")).ToHaveCountAsync(0);
        // Each page shows its rows first (it renders over its circuit, after the shell): an action
        // looked for before them would be missing whatever the scope.
        await page.GotoAsync("/dashboard/dead-letters");
        await Expect(page.GetByTestId($"status-{failed.Id()}")).ToHaveTextAsync("dead_lettered");
        await Expect(page.GetByTestId("requeue-selected")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId($"select-{failed.Id()}")).ToHaveCountAsync(0);
        await page.GotoAsync("/dashboard/workers");
        await Expect(page.Locator("[data-testid^=worker-recommended-]").First).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid^=drain-]")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("signed-in")).ToHaveTextAsync("read (read)");
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(200, Token);
        }
    }
}
