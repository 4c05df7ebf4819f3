using System.Net;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Worker;

/// <summary>Real worker (and health monitor) processes against real PostgreSQL and Redis.</summary>
public sealed class WorkerProcessTests(TestServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private TestSystem _system = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _system = await TestSystem.CreateAsync(servers);
        _http = _system.Api();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _system.DisposeAsync();
    }

    private static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Worker__RetryBaseDelay"] = "00:00:00.050",
        ["Worker__RetryMaxDelay"] = "00:00:00.200",
    };

    private static readonly Dictionary<string, string?> FastMonitor = new()
    {
        ["HealthMonitor__PromoteInterval"] = "00:00:00.050",
        ["HealthMonitor__ReconcileInterval"] = "00:00:00.200",
    };

    private Task<long> CountAsync(string sql, params object[] parameters) => _system.Database.ScalarAsync<long>(sql, parameters);

    private Task WaitForStatusAsync(Guid id, string status) =>
        _system.WaitUntilAsync(async () => (await _http.GetJsonAsync($"/api/jobs/{id}")).Status() == status, Patience, $"job {id} to be {status}");

    [Fact]
    public async Task WorkersRacingForManyJobs_CompleteEachExactlyOnce()
    {
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => _system.StartWorkerAsync(new Dictionary<string, string?> { ["Worker__Concurrency"] = "8" })));

        await _http.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 600).Select(i => new { type = "echo", payload = new { i } }) }, HttpStatusCode.Created);

        await _system.WaitUntilAsync(async () => await CountAsync("SELECT count(*) FROM jobs WHERE status = 'completed'") == 600, Patience, "600 completed jobs");
        Assert.Equal(600L, await CountAsync("SELECT count(*) FROM job_executions WHERE status = 'completed'"));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM job_executions WHERE status <> 'completed'"));
        Assert.Equal(600L, await CountAsync("SELECT count(*) FROM jobs WHERE attempts = 1 AND result::text = payload::text"));
        Assert.Equal(3L, await CountAsync("SELECT count(DISTINCT worker_id) FROM jobs"));
    }

    [Fact]
    public async Task AFailingJob_IsRetriedWithBackoff_UntilItSucceeds_OrIsDeadLettered()
    {
        await _system.StartWorkerAsync(FastRetries);
        await _system.StartHealthMonitorAsync(FastMonitor);

        var recovers = await _http.PostJsonAsync("/api/jobs", new { type = "fail", payload = new { times = 2 }, maxRetries = 5 }, HttpStatusCode.Created);
        var hopeless = await _http.PostJsonAsync("/api/jobs", new { type = "fail", payload = new { always = true }, maxRetries = 1 }, HttpStatusCode.Created);

        await WaitForStatusAsync(recovers.Id(), "completed");
        await WaitForStatusAsync(hopeless.Id(), "dead_lettered");
        var attempts = await _http.GetJsonAsync($"/api/jobs/{recovers.Id()}/executions");
        Assert.Equal(["failed", "failed", "completed"], attempts.EnumerateArray().Select(a => a.GetProperty("status").GetString()));
        var dead = await _http.GetJsonAsync($"/api/jobs/{hopeless.Id()}");
        Assert.Equal(2, dead.GetProperty("attempts").GetInt32());
        Assert.Contains("fails as asked", dead.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Single((await _http.GetJsonAsync("/api/dead-letters")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task AFailureWhoseMessageNoTextColumnHolds_IsRecorded_AndSpoilsNoOtherOutcome()
    {
        await _system.StartWorkerAsync(new Dictionary<string, string?>(FastRetries) { ["Worker__Concurrency"] = "16" });

        // U+0000: PostgreSQL's text refuses it (a payload, kept as JSON text, holds its escape),
        // and the finishing statement carries the outcomes of every job that finished with this one.
        var body = """{"jobs":[{"type":"fail","maxRetries":0,"payload":{"always":true,"message":"before\u0000after"}}""" +
                   string.Concat(Enumerable.Range(0, 40).Select(i => ",{\"type\":\"echo\",\"payload\":{\"i\":" + i + "}}")) + "]}";
        using var response = await _http.PostAsync("/api/jobs/batch", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ids = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
            .RootElement.GetProperty("ids").EnumerateArray().Select(i => i.GetGuid()).ToList();

        await WaitForStatusAsync(ids[0], "dead_lettered");
        await _system.WaitUntilAsync(async () => await CountAsync("SELECT count(*) FROM jobs WHERE status = 'completed'") == 40, Patience, "40 completed jobs");
        var failed = await _http.GetJsonAsync($"/api/jobs/{ids[0]}");
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());
        Assert.EndsWith("before\uFFFDafter", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(41L, await CountAsync("SELECT count(*) FROM job_executions"));
        Assert.Equal(40L, await CountAsync("SELECT count(*) FROM jobs WHERE attempts = 1 AND result::text = payload::text"));
    }

    [Fact]
    public async Task AJobPastItsTimeout_IsStopped_AndRecordedAsTimedOut()
    {
        await _system.StartWorkerAsync();

        var job = await _http.PostJsonAsync("/api/jobs", new { type = "sleep", payload = new { ms = 60_000 }, timeoutMs = 300, maxRetries = 0 }, HttpStatusCode.Created);

        await WaitForStatusAsync(job.Id(), "dead_lettered");
        var attempt = Assert.Single((await _http.GetJsonAsync($"/api/jobs/{job.Id()}/executions")).EnumerateArray());
        Assert.Equal("timed_out", attempt.GetProperty("status").GetString());
        Assert.InRange(attempt.GetProperty("durationMs").GetInt64(), 250, 10_000);
    }

    [Fact]
    public async Task CancellingARunningJob_StopsItsHandler_AndItEndsCancelled()
    {
        await _system.StartWorkerAsync();
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "sleep", payload = new { ms = 120_000 } }, HttpStatusCode.Created);
        await WaitForStatusAsync(job.Id(), "running");

        await _http.PostJsonAsync($"/api/jobs/{job.Id()}/cancel", HttpStatusCode.Accepted);

        await WaitForStatusAsync(job.Id(), "cancelled");
        var attempt = Assert.Single((await _http.GetJsonAsync($"/api/jobs/{job.Id()}/executions")).EnumerateArray());
        Assert.Equal("cancelled", attempt.GetProperty("status").GetString());
        Assert.True(attempt.GetProperty("durationMs").GetInt64() < 60_000);
    }

    [Fact]
    public async Task ACancellationWhoseMessageWasLost_IsCaughtByTheWorkersNextReport()
    {
        await _system.StartWorkerAsync(new Dictionary<string, string?> { ["Worker__MetricsInterval"] = "00:00:00.500" });
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "sleep", payload = new { ms = 120_000 } }, HttpStatusCode.Created);
        await WaitForStatusAsync(job.Id(), "running");

        // Recorded as the Api records it, but never published: as if the message was lost.
        await _system.Database.ExecuteAsync("UPDATE jobs SET cancel_requested_at = now() WHERE id = $1", job.Id());

        await WaitForStatusAsync(job.Id(), "cancelled");
        Assert.Equal("cancelled", Assert.Single((await _http.GetJsonAsync($"/api/jobs/{job.Id()}/executions")).EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnExitOrderWhoseMessageWasLost_IsObeyedAtTheWorkersNextReport_ItsJobsHandedBack()
    {
        var worker = await _system.StartWorkerAsync(new Dictionary<string, string?> { ["Worker__MetricsInterval"] = "00:00:00.500" });
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "sleep", payload = new { ms = 120_000 } }, HttpStatusCode.Created);
        await WaitForStatusAsync(job.Id(), "running");

        // Recorded as the health monitor records it, but never published: as if the message was lost.
        await _system.Database.ExecuteAsync("UPDATE workers SET exit_ordered_at = now()");

        var exited = await Task.WhenAny(worker.Exited, Task.Delay(Patience, TestContext.Current.CancellationToken));
        Assert.True(exited == worker.Exited, "the worker did not exit");
        Assert.Equal(0, await worker.Exited);
        Assert.Equal("stopped", await _system.Database.ScalarAsync<string>("SELECT status FROM workers"));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM jobs WHERE status = 'queued' AND failures = 0 AND attempts = 1"));
    }

    [Fact]
    public async Task OnSigterm_RunningJobsFinishWithinTheGracePeriod()
    {
        var worker = await _system.StartWorkerAsync();
        var jobs = await _http.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 3).Select(_ => new { type = "sleep", payload = new { ms = 1500 } }) }, HttpStatusCode.Created);
        await _system.WaitUntilAsync(async () => await CountAsync("SELECT count(*) FROM jobs WHERE status = 'running'") == 3, Patience, "3 running jobs");

        Assert.Equal(0, await worker.StopAsync(TimeSpan.FromSeconds(40)));

        Assert.Equal(3L, await CountAsync("SELECT count(*) FROM jobs WHERE status = 'completed'"));
        Assert.Equal("stopped", await _system.Database.ScalarAsync<string>("SELECT status FROM workers"));
    }

    [Fact]
    public async Task OnSigterm_JobsStillRunningAfterTheGracePeriod_AreHandedBack_NotFailed()
    {
        var worker = await _system.StartWorkerAsync(new Dictionary<string, string?> { ["Worker__ShutdownGracePeriod"] = "00:00:01" });
        await _http.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 3).Select(_ => new { type = "sleep", payload = new { ms = 120_000 } }) }, HttpStatusCode.Created);
        await _system.WaitUntilAsync(async () => await CountAsync("SELECT count(*) FROM jobs WHERE status = 'running'") == 3, Patience, "3 running jobs");

        Assert.Equal(0, await worker.StopAsync(TimeSpan.FromSeconds(40)));

        Assert.Equal(3L, await CountAsync("SELECT count(*) FROM jobs WHERE status = 'queued' AND failures = 0 AND attempts = 1"));
        Assert.Equal(3L, await CountAsync("SELECT count(*) FROM job_executions WHERE status = 'abandoned'"));
        var (high, medium, low) = await _system.Dispatcher.BandLengthsAsync();
        Assert.Equal(3, high + medium + low);
    }

    [Fact]
    public async Task AJobNoWorkerRuns_IsParkedVisibly_AndCanStillBeCancelled()
    {
        await _system.StartWorkerAsync();

        var job = await _http.PostJsonAsync("/api/jobs", new { type = "nobody.runs.this" }, HttpStatusCode.Created);

        await _system.WaitUntilAsync(async () => (await _http.GetJsonAsync($"/api/jobs/{job.Id()}")).GetProperty("error").GetString() is { } e && e.Contains("nobody.runs.this", StringComparison.Ordinal), Patience, "the job to be parked");
        Assert.Equal("queued", (await _http.GetJsonAsync($"/api/jobs/{job.Id()}")).Status());
        Assert.Equal((0, 0, 0), await _system.Dispatcher.BandLengthsAsync());
        Assert.Equal("cancelled", (await _http.PostJsonAsync($"/api/jobs/{job.Id()}/cancel", HttpStatusCode.OK)).Status());
    }
}
