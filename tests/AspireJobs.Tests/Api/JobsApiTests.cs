using System.Net;
using AspireJobs.Api.Access;
using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;
using Npgsql;

namespace AspireJobs.Tests.Api;

/// <summary>The job routes against real PostgreSQL and Redis, with no worker running.</summary>
public sealed class JobsApiTests(TestServers servers) : IAsyncLifetime
{
    private static readonly string[] AllTypes = ["noop", "echo", "sleep", "fail"];
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

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_ReturnsTheJobAsTheContractShowsIt()
    {
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "echo", payload = new { x = 1 }, priority = 4, maxRetries = 2, timeoutMs = 1500 }, HttpStatusCode.Created);

        Assert.Equal(
            ["attempts", "completedAt", "createdAt", "dependsOn", "effectivePriority", "error", "id", "maxRetries", "onDependencyFailure", "payload", "priority", "result", "scheduledAt", "startedAt", "status", "timeoutMs", "type", "workerId"],
            job.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(("echo", "queued", 4, 2, 1500), (job.GetProperty("type").GetString(), job.Status(), job.GetProperty("priority").GetInt32(), job.GetProperty("maxRetries").GetInt32(), job.GetProperty("timeoutMs").GetInt32()));
        Assert.Equal("""{"x":1}""", job.GetProperty("payload").GetRawText());
        Assert.EndsWith("Z", job.GetProperty("createdAt").GetString(), StringComparison.Ordinal);
        Assert.Equal(job.GetRawText(), (await _http.GetJsonAsync($"/api/jobs/{job.Id()}")).GetRawText());
    }

    [Fact]
    public async Task Create_WithARepeatedIdempotencyKey_Answers200WithTheFirstJob()
    {
        var first = await _http.PostJsonAsync("/api/jobs", new { type = "noop", idempotencyKey = "invoice-7" }, HttpStatusCode.Created);

        var repeat = await _http.PostJsonAsync("/api/jobs", new { type = "noop", idempotencyKey = "invoice-7", priority = 5 }, HttpStatusCode.OK);

        Assert.Equal(first.Id(), repeat.Id());
        Assert.Equal(1L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs"));
        Assert.Equal((0, 1, 0), await _system.Dispatcher.BandLengthsAsync());
    }

    [Fact]
    public async Task Create_WithAFutureRunAt_IsScheduled_AndNotInABand()
    {
        var runAt = DateTime.UtcNow.AddHours(1);

        var job = await _http.PostJsonAsync("/api/jobs", new { type = "noop", runAt }, HttpStatusCode.Created);

        Assert.Equal("scheduled", job.Status());
        Assert.Equal(runAt, job.GetProperty("scheduledAt").GetDateTime(), TimeSpan.FromMilliseconds(1));
        Assert.Equal((0, 0, 0), await _system.Dispatcher.BandLengthsAsync());
    }

    [Fact]
    public async Task Create_WithDependencies_IsWaiting_AndKeepsThem()
    {
        var parent = await _http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created);

        var child = await _http.PostJsonAsync("/api/jobs", new { type = "noop", dependsOn = new[] { parent.Id() } }, HttpStatusCode.Created);

        Assert.Equal("waiting", child.Status());
        Assert.Equal(parent.Id(), child.GetProperty("dependsOn")[0].GetGuid());
        Assert.Equal((0, 1, 0), await _system.Dispatcher.BandLengthsAsync());
    }

    [Fact]
    public async Task Batch_CreatesEveryJob_InOrder_AndQueuesTheReadyOnes()
    {
        var jobs = Enumerable.Range(0, 500).Select(i => new { type = "noop", priority = i % 5 + 1, payload = new { i } })
            .Append(new { type = "noop", priority = 3, payload = new { i = -1 } })
            .ToList<object>();
        jobs.Add(new { type = "noop", runAt = DateTime.UtcNow.AddDays(1) });

        var created = await _http.PostJsonAsync("/api/jobs/batch", new { jobs }, HttpStatusCode.Created);

        var ids = created.GetProperty("ids").EnumerateArray().Select(e => e.GetGuid()).ToList();
        Assert.Equal(502, ids.Distinct().Count());
        Assert.Equal("""{"i":7}""", (await _http.GetJsonAsync($"/api/jobs/{ids[7]}")).GetProperty("payload").GetRawText());
        Assert.Equal((200, 201, 100), await _system.Dispatcher.BandLengthsAsync());
        Assert.Equal(1L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'scheduled'"));
    }

    [Fact]
    public async Task Batch_ReturnsTheExistingJob_ForAKeyAlreadyTaken()
    {
        var existing = await _http.PostJsonAsync("/api/jobs", new { type = "noop", idempotencyKey = "k1" }, HttpStatusCode.Created);

        var created = await _http.PostJsonAsync("/api/jobs/batch", new { jobs = new object[] { new { type = "noop" }, new { type = "noop", idempotencyKey = "k1" } } }, HttpStatusCode.Created);

        Assert.Equal(existing.Id(), created.GetProperty("ids")[1].GetGuid());
        Assert.Equal(2L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs"));
    }

    [Fact]
    public async Task List_PagesNewestFirst_WithFilters()
    {
        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await _http.PostJsonAsync("/api/jobs", new { type = i % 2 == 0 ? "even" : "odd" }, HttpStatusCode.Created)).Id());
        }

        var first = await _http.GetJsonAsync("/api/jobs?limit=2");
        var second = await _http.GetJsonAsync($"/api/jobs?limit=2&cursor={first.GetProperty("nextCursor").GetGuid()}");
        var third = await _http.GetJsonAsync($"/api/jobs?limit=2&cursor={second.GetProperty("nextCursor").GetGuid()}");
        var even = await _http.GetJsonAsync("/api/jobs?type=even&status=queued");
        var none = await _http.GetJsonAsync("/api/jobs?status=completed");

        var paged = new[] { first, second, third }.SelectMany(p => p.GetProperty("items").EnumerateArray().Select(j => j.Id())).ToList();
        Assert.Equal(Enumerable.Reverse(created), paged);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, third.GetProperty("nextCursor").ValueKind);
        Assert.Equal(3, even.GetProperty("items").GetArrayLength());
        Assert.Equal(0, none.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task List_EndsAPageEarly_OnceThePayloadsBeforeAJobReachMaxPageBytes_AndItsCursorLeadsOn()
    {
        // Six jobs of 300,000 bytes of payload each, listed 1,000 at a time with 1,000,000 bytes to a page:
        // the fourth starts at 900,000 and ends the page; the fifth would start past the bytes.
        await using var host = _system.CreateApiHost([new("Api:MaxPageBytes", "1000000")]);
        using var http = host.CreateClient().WithKey(ApiScope.Admin);
        var large = new string('x', 299_998);
        var created = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            created.Add((await http.PostJsonAsync("/api/jobs", new { type = "echo", payload = large }, HttpStatusCode.Created)).Id());
        }

        var first = await http.GetJsonAsync("/api/jobs?limit=1000");
        var second = await http.GetJsonAsync($"/api/jobs?limit=1000&cursor={first.GetProperty("nextCursor").GetGuid()}");
        var small = await http.GetJsonAsync("/api/jobs?limit=2");

        Assert.Equal(Enumerable.Reverse(created).Take(4), first.GetProperty("items").EnumerateArray().Select(j => j.Id()));
        Assert.Equal(Enumerable.Reverse(created).Skip(4), second.GetProperty("items").EnumerateArray().Select(j => j.Id()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        Assert.Equal(large, first.GetProperty("items")[3].GetProperty("payload").GetString());
        Assert.Equal(created[4], small.GetProperty("nextCursor").GetGuid());
    }

    [Fact]
    public async Task Executions_ListEveryAttempt_WithItsOutcomeAndDuration()
    {
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "fail", maxRetries = 3 }, HttpStatusCode.Created);
        var worker = Guid.NewGuid();
        var first = Assert.Single((await _system.Store.StartNowAsync([job.Id()], worker, TimeSpan.FromSeconds(30), AllTypes, Token)).Started);
        Assert.True(await _system.Store.FinishAsync(JobFinish.Retry(first.Id, first.LeaseToken, ExecutionStatus.Failed, "boom", DateTimeOffset.UtcNow), Token));

        var executions = await _http.GetJsonAsync($"/api/jobs/{job.Id()}/executions");

        var attempt = Assert.Single(executions.EnumerateArray());
        Assert.Equal((1, "failed", "boom", worker), (attempt.GetProperty("attempt").GetInt32(), attempt.GetProperty("status").GetString(), attempt.GetProperty("error").GetString(), attempt.GetProperty("workerId").GetGuid()));
        Assert.True(attempt.GetProperty("durationMs").GetInt64() >= 0);
        Assert.Empty((await _http.GetJsonAsync($"/api/jobs/{(await _http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created)).Id()}/executions")).EnumerateArray());
    }

    [Fact]
    public async Task Cancel_ATimelyJob_IsFinalAtOnce_AndLeavesItsBand()
    {
        var queued = await _http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created);
        var scheduled = await _http.PostJsonAsync("/api/jobs", new { type = "noop", runAt = DateTime.UtcNow.AddHours(1) }, HttpStatusCode.Created);

        var cancelledQueued = await _http.PostJsonAsync($"/api/jobs/{queued.Id()}/cancel", HttpStatusCode.OK);
        var cancelledScheduled = await _http.PostJsonAsync($"/api/jobs/{scheduled.Id()}/cancel", HttpStatusCode.OK);

        Assert.Equal(("cancelled", "cancelled"), (cancelledQueued.Status(), cancelledScheduled.Status()));
        Assert.Equal((0, 0, 0), await _system.Dispatcher.BandLengthsAsync());
        var problem = await _http.PostJsonAsync($"/api/jobs/{queued.Id()}/cancel", HttpStatusCode.Conflict);
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Cancel_ARunningJob_IsAccepted_AndStopsItsRetries()
    {
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "sleep" }, HttpStatusCode.Created);
        var started = Assert.Single((await _system.Store.StartNowAsync([job.Id()], Guid.NewGuid(), TimeSpan.FromSeconds(30), AllTypes, Token)).Started);

        var accepted = await _http.PostJsonAsync($"/api/jobs/{job.Id()}/cancel", HttpStatusCode.Accepted);

        Assert.Equal("running", accepted.Status());
        // A failure after the request is no retry: the requested cancellation wins.
        Assert.True(await _system.Store.FinishAsync(JobFinish.Retry(started.Id, started.LeaseToken, ExecutionStatus.Failed, "late failure", DateTimeOffset.UtcNow), Token));
        var cancelled = await _http.GetJsonAsync($"/api/jobs/{job.Id()}");
        Assert.Equal(("cancelled", 0), (cancelled.Status(), await _system.Database.ScalarAsync<int>("SELECT failures FROM jobs WHERE id = $1", job.Id())));
        Assert.Equal("cancelled", await _system.Database.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1", job.Id()));
    }

    [Fact]
    public async Task Cancel_OfAJobThatMovesOnMeanwhile_FollowsIt_RatherThanCallingItFinished()
    {
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "sleep" }, HttpStatusCode.Created);
        Assert.Single((await _system.Store.StartNowAsync([job.Id()], Guid.NewGuid(), TimeSpan.FromSeconds(30), AllTypes, Token)).Started);

        // Its worker's failure is being written: a retry an hour away, its row locked until the commit.
        await using var connection = await _system.Database.DataSource.OpenConnectionAsync(Token);
        await using var transaction = await connection.BeginTransactionAsync(Token);
        await using (var retry = new NpgsqlCommand(
            "UPDATE jobs SET status = 'scheduled', lease_token = NULL, lease_expires_at = NULL, scheduled_at = now() + interval '1 hour' WHERE id = $1",
            connection, transaction) { Parameters = { new() { Value = job.Id() } } })
        {
            await retry.ExecuteNonQueryAsync(Token);
        }

        // The cancellation finds it running, not pending, and waits on its row to request it.
        var cancel = _http.PostAsync($"/api/jobs/{job.Id()}/cancel", null, Token);
        await _system.WaitUntilAsync(
            async () => await _system.Database.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()") > 0,
            TimeSpan.FromSeconds(30), "the cancellation waiting on the job's row");
        await transaction.CommitAsync(Token);

        using var answer = await cancel;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("cancelled", (await _http.GetJsonAsync($"/api/jobs/{job.Id()}")).Status());
    }

    [Fact]
    public async Task DeadLetters_AreListed_AndARequeueRestoresTheirRetries()
    {
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "fail", maxRetries = 0 }, HttpStatusCode.Created);
        var started = Assert.Single((await _system.Store.StartNowAsync([job.Id()], Guid.NewGuid(), TimeSpan.FromSeconds(30), AllTypes, Token)).Started);
        Assert.True(await _system.Store.FinishAsync(JobFinish.DeadLettered(started.Id, started.LeaseToken, ExecutionStatus.Failed, "always fails"), Token));
        await _system.Dispatcher.DequeueAsync([job.Id()]); // it was acquired before it started

        var deadLetters = await _http.GetJsonAsync("/api/dead-letters");
        var requeued = await _http.PostJsonAsync($"/api/dead-letters/{job.Id()}/requeue", HttpStatusCode.OK);

        var letter = Assert.Single(deadLetters.GetProperty("items").EnumerateArray());
        Assert.Equal(("dead_lettered", "always fails", 1), (letter.Status(), letter.GetProperty("error").GetString(), letter.GetProperty("attempts").GetInt32()));
        Assert.Equal("queued", requeued.Status());
        Assert.Equal(0, await _system.Database.ScalarAsync<int>("SELECT failures FROM jobs WHERE id = $1", job.Id()));
        Assert.Equal((0, 1, 0), await _system.Dispatcher.BandLengthsAsync());
        await _http.PostJsonAsync($"/api/dead-letters/{job.Id()}/requeue", HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Queues_CountEveryState_AndQueuedJobsByBand()
    {
        await _http.PostJsonAsync("/api/jobs/batch", new { jobs = new object[] { new { type = "a", priority = 5 }, new { type = "a", priority = 4 }, new { type = "a", priority = 2 }, new { type = "a", priority = 1 } } }, HttpStatusCode.Created);
        await _http.PostJsonAsync("/api/jobs", new { type = "a", runAt = DateTime.UtcNow.AddDays(1) }, HttpStatusCode.Created);
        var cancelled = await _http.PostJsonAsync("/api/jobs", new { type = "a" }, HttpStatusCode.Created);
        await _http.PostJsonAsync($"/api/jobs/{cancelled.Id()}/cancel", HttpStatusCode.OK);

        var counts = await _http.GetJsonAsync("/api/queues");

        Assert.Equal("""{"queued":{"high":2,"medium":1,"low":1},"scheduled":1,"waiting":0,"running":0,"completed":0,"deadLettered":0,"cancelled":1}""", counts.GetRawText());
    }
}
