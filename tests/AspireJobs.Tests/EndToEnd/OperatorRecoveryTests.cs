using System.Net;
using System.Text.Json;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.EndToEnd;

/// <summary>
/// What an operator and a developer do after something went wrong, on the whole application
/// through its AppHost with a worker busy: queued jobs cancelled by mistake come back, from a
/// snapshot and by point-in-time recovery, each after a dry run that changes nothing; and a
/// failing job's similar executions put the earlier failures of its kind first.
/// </summary>
public sealed class OperatorRecoveryTests(TestServers servers)
{
    private const int Jobs = 300;
    private const int Mistakes = 200;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CancelledByMistake_ComeBack_FromASnapshot_AndByPointInTime_WhileAWorkerRunsOthers()
    {
        await using var system = await AspireJobsApp.StartAsync(servers.CreateDirectory("recovery"), workers: 1);
        var api = system.Api;
        // Long sleeps: the worker's 64 slots fill, the rest stay queued.
        await api.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, Jobs).Select(_ => new { type = "sleep", payload = new { ms = 120_000 } }) }, HttpStatusCode.Created);
        // All 64 running in PostgreSQL: a job the worker took but whose start it has not written
        // yet still reads queued, and would be running by the time it is cancelled.
        await AppHostEndToEndTests.PollAsync(api, "/api/queues", q => q.GetProperty("running").GetInt32() == 64);
        var mistaken = await QueuedAsync(api, Mistakes);
        var snapshot = await api.PostJsonAsync("/api/snapshots", new { label = "before the mistake" }, HttpStatusCode.Created);
        var beforeTheMistake = DateTime.UtcNow;
        await Task.Delay(10, Token);

        await CancelAsync(api, mistaken);
        var dryRun = await api.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { }, HttpStatusCode.OK);
        Assert.Equal(Mistakes, CancelledToQueued(dryRun));
        Assert.Equal(Mistakes, await CountAsync(api, mistaken, "cancelled"));
        await api.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { apply = true }, HttpStatusCode.OK);
        Assert.Equal(Mistakes, await CountAsync(api, mistaken, "queued"));

        await CancelAsync(api, mistaken);
        var recovery = await api.PostJsonAsync("/api/recovery/point-in-time", new { at = beforeTheMistake, filter = new { statusNow = "cancelled" } }, HttpStatusCode.OK);
        Assert.Equal(Mistakes, CancelledToQueued(recovery));
        Assert.Equal(Mistakes, await CountAsync(api, mistaken, "cancelled"));
        await api.PostJsonAsync("/api/recovery/point-in-time", new { at = beforeTheMistake, filter = new { statusNow = "cancelled" }, apply = true }, HttpStatusCode.OK);
        Assert.Equal(Mistakes, await CountAsync(api, mistaken, "queued"));
    }

    [Fact]
    public async Task AFailingJobsSimilarExecutions_PutEarlierFailuresOfItsKindFirst()
    {
        await using var system = await AspireJobsApp.StartAsync(servers.CreateDirectory("memory"), workers: 1);
        var api = system.Api;
        string[] kinds =
        [
            "Connection refused: could not connect to payments-db at 10.0.{0}.7:5432",
            "Invalid invoice total: expected {0}7.00 but line items sum to {0}3.50",
            "Template 'welcome-{0}' not found in bucket assets-{0}",
        ];
        var earlier = new List<Guid>();
        for (var i = 1; i <= 3; i++)
        {
            foreach (var kind in kinds)
            {
                earlier.Add((await FailAsync(api, string.Format(System.Globalization.CultureInfo.InvariantCulture, kind, i))).Id());
            }
        }

        foreach (var id in earlier)
        {
            await AppHostEndToEndTests.PollAsync(api, $"/api/jobs/{id}", j => j.Status() == "dead_lettered");
        }

        var failing = await FailAsync(api, "Connection refused: could not connect to payments-db at 10.9.9.9:5432");
        await AppHostEndToEndTests.PollAsync(api, $"/api/jobs/{failing.Id()}", j => j.Status() == "dead_lettered");

        // Once the indexer has caught up, the three earlier refusals lead, every other kind after them.
        var similar = await AppHostEndToEndTests.PollAsync(api, $"/api/jobs/{failing.Id()}/similar?limit=9", s => s.GetProperty("items").GetArrayLength() == 9);
        var errors = similar.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("error").GetString()!).ToList();
        Assert.All(errors.Take(3), error => Assert.Contains("Connection refused", error, StringComparison.Ordinal));
        Assert.All(errors.Skip(3), error => Assert.DoesNotContain("Connection refused", error, StringComparison.Ordinal));
    }

    private static Task<JsonElement> FailAsync(HttpClient api, string message) =>
        api.PostJsonAsync("/api/jobs", new { type = "fail", maxRetries = 0, payload = new { always = true, message } }, HttpStatusCode.Created);

    private static int CancelledToQueued(JsonElement diff) =>
        diff.GetProperty("transitions").EnumerateArray()
            .Where(t => t.GetProperty("from").GetString() == "cancelled" && t.GetProperty("to").GetString() == "queued")
            .Sum(t => t.GetProperty("count").GetInt32());

    private static async Task<List<Guid>> QueuedAsync(HttpClient api, int count)
    {
        var page = await api.GetJsonAsync($"/api/jobs?status=queued&limit={count}");
        var ids = page.GetProperty("items").EnumerateArray().Select(job => job.Id()).ToList();
        Assert.Equal(count, ids.Count);
        return ids;
    }

    private static async Task CancelAsync(HttpClient api, IEnumerable<Guid> ids)
    {
        foreach (var id in ids)
        {
            await api.PostJsonAsync($"/api/jobs/{id}/cancel", HttpStatusCode.OK);
        }
    }

    private static async Task<int> CountAsync(HttpClient api, IEnumerable<Guid> ids, string status)
    {
        var count = 0;
        foreach (var id in ids)
        {
            count += (await api.GetJsonAsync($"/api/jobs/{id}")).Status() == status ? 1 : 0;
        }

        return count;
    }
}
