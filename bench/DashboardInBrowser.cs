using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Playwright;

namespace AspireJobs.Bench;

/// <summary>
/// The dashboard's overview as a user meets it, in Debian's chromium: how long a fresh page takes
/// until it is live over its circuit (page load), and how long after a job is created the page
/// shows it without a reload (update, by server push).
/// </summary>
public static class DashboardInBrowser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Both lists in milliseconds, sorted; null when there is no chromium here.</summary>
    public static async Task<(List<double> Loads, List<double> Updates)?> MeasureAsync(Uri api, string apiKey, HttpClient http, int loads, int updates)
    {
        if (!File.Exists(ChromiumPath))
        {
            return null;
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true });

        var loadTimes = new List<double>();
        for (var i = 0; i < loads + 1; i++)
        {
            await using var context = await browser.NewContextAsync(new() { BaseURL = api.ToString() });
            var page = await context.NewPageAsync();
            await SignInAsync(page, apiKey);
            var started = Stopwatch.GetTimestamp();
            await page.GotoAsync("/dashboard");
            await page.WaitForSelectorAsync("[data-testid=interactive][data-interactive=true]", new() { State = WaitForSelectorState.Attached });
            if (i > 0) // the first warms the browser
            {
                loadTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        var updateTimes = new List<double>();
        await using (var context = await browser.NewContextAsync(new() { BaseURL = api.ToString() }))
        {
            var page = await context.NewPageAsync();
            await SignInAsync(page, apiKey);
            await page.GotoAsync("/dashboard");
            await page.WaitForSelectorAsync("[data-testid=interactive][data-interactive=true]", new() { State = WaitForSelectorState.Attached });
            for (var i = 0; i < updates; i++)
            {
                // At a random moment of the page's refresh cycle, as a change would come.
                await Task.Delay(Random.Shared.Next(0, 1000));
                var before = await page.Locator("[data-testid=count-scheduled]").TextContentAsync();
                var started = Stopwatch.GetTimestamp();
                using var created = await http.PostAsJsonAsync("/api/jobs", new { type = "bench.later", runAt = DateTime.UtcNow.AddDays(1) });
                created.EnsureSuccessStatusCode();
                await page.WaitForFunctionAsync(
                    "before => document.querySelector('[data-testid=count-scheduled]').textContent !== before", before, new() { PollingInterval = 5 });
                updateTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        loadTimes.Sort();
        updateTimes.Sort();
        return (loadTimes, updateTimes);
    }

    private static async Task SignInAsync(IPage page, string apiKey)
    {
        await page.GotoAsync("/dashboard/login");
        await page.FillAsync("[data-testid=login-key]", apiKey);
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForSelectorAsync("[data-testid=signed-in]");
    }
}
