using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;
using Npgsql;

namespace AspireJobs.Tests.Core.Jobs;

public sealed class JobStoreTests(TestServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private static readonly string[] AllTypes = ["noop", "echo", "sleep", "fail"];
    private TestDatabase _db = null!;
    private JobStore _store = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await servers.CreateDatabaseAsync();
        _store = new JobStore(_db.DataSource, TimeProvider.System);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task JobInsert_StoresEveryField_AndLogsTheCreation()
    {
        var request = TestJobs.New(type: "echo", payload: """{"x":1}""", priority: 5, maxRetries: 2, timeout: TimeSpan.FromSeconds(9));

        var inserted = await _store.JobInsertAsync(request, Token);
        var read = await _store.JobGetByIdAsync(request.Id, Token);

        Assert.True(inserted.Created);
        Assert.NotNull(read);
        Assert.Equal(inserted.Job, read with { DependsOn = inserted.Job.DependsOn });
        Assert.Equal((JobStatus.Queued, "echo", 5, 2, TimeSpan.FromSeconds(9), """{"x":1}"""),
            (read.Status, read.Type, read.Priority, read.MaxRetries, read.Timeout, read.PayloadJson));
        Assert.Equal("queued", await _db.ScalarAsync<string>("SELECT to_status FROM job_events WHERE job_id = $1", request.Id));
    }

    [Fact]
    public async Task JobInsert_ReturnsTheFirstJob_WhenTheIdempotencyKeyRepeats()
    {
        var first = await _store.JobInsertAsync(TestJobs.New(idempotencyKey: "order-42"), Token);

        var repeat = await _store.JobInsertAsync(TestJobs.New(idempotencyKey: "order-42"), Token);

        Assert.False(repeat.Created);
        Assert.Equal(first.Job.Id, repeat.Job.Id);
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM jobs"));
    }

    [Fact]
    public async Task JobInsert_WritesNothing_WhenADependencyDoesNotExist()
    {
        var parent = await _store.JobInsertAsync(TestJobs.New(), Token);
        var request = TestJobs.New(dependsOn: [parent.Job.Id, Guid.NewGuid()]);

        await Assert.ThrowsAsync<UnknownDependencyException>(() => _store.JobInsertAsync(request, Token));

        Assert.Null(await _store.JobGetByIdAsync(request.Id, Token));
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_dependencies"));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_events"));
    }

    [Fact]
    public async Task JobInsert_KeepsDependencies_AndStartsWaiting()
    {
        var parent = await _store.JobInsertAsync(TestJobs.New(), Token);

        var child = await _store.JobInsertAsync(TestJobs.New(dependsOn: [parent.Job.Id]), Token);

        Assert.Equal(JobStatus.Waiting, child.Job.Status);
        Assert.Equal([parent.Job.Id], (await _store.JobGetByIdAsync(child.Job.Id, Token))!.DependsOn);
    }

    [Fact]
    public async Task JobSetRunningIfQueued_StartsAJobOnlyOnce_WhenWorkersRace()
    {
        var job = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job;

        var starts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            _store.StartNowAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token)));

        var started = Assert.Single(starts.SelectMany(s => s.Started));
        Assert.Equal(1, started.Attempt);
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE job_id = $1 AND status = 'running'", job.Id));
    }

    [Fact]
    public async Task ACompletion_ChangesNothing_UnderAStaleLeaseToken()
    {
        var job = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job;
        var started = Assert.Single((await _store.StartNowAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token)).Started);

        var stale = await _store.FinishAsync(JobFinish.Completed(job.Id, Guid.NewGuid(), "1"), Token);
        var current = await _store.FinishAsync(JobFinish.Completed(job.Id, started.LeaseToken, "2"), Token);

        Assert.False(stale);
        Assert.True(current);
        var finished = (await _store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Equal((JobStatus.Completed, "2"), (finished.Status, finished.ResultJson));
        Assert.Equal("completed", await _db.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1", job.Id));
    }

    [Fact]
    public async Task StatusCheckConstraint_AcceptsExactlyTheEnumsStates()
    {
        foreach (var status in JobStatusText.All)
        {
            var running = status == "running";
            var final = status is "completed" or "dead_lettered" or "cancelled";
            await _db.ExecuteAsync(
                "INSERT INTO jobs (id, type, status, priority, effective_priority, max_retries, timeout_ms, dependencies_pending, lease_token, lease_expires_at, completed_at) " +
                $"VALUES (gen_random_uuid(), 'noop', $1, 3, 3, 0, 1000, {(status == "waiting" ? 1 : 0)}, {(running ? "gen_random_uuid(), now()" : "NULL, NULL")}, {(final ? "now()" : "NULL")})",
                status);
        }

        var error = await Assert.ThrowsAsync<PostgresException>(() => _db.ExecuteAsync(
            "INSERT INTO jobs (id, type, status, priority, effective_priority, max_retries, timeout_ms) VALUES (gen_random_uuid(), 'noop', 'done', 3, 3, 0, 1000)"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
    }

    /// <summary>Types on each side of every rule: the characters, the end of the string, the length.</summary>
    public static TheoryData<string> Types => new() { "noop", "a.b_c:d-E9", "", "has space", "é", "noop\n", "a/b", new string('x', 200), new string('x', 201) };

    [Theory]
    [MemberData(nameof(Types))]
    public async Task TypeCheckConstraint_AdmitsExactlyTheTypesTheContractAllows(string type)
    {
        var stored = await TryInsertTypeAsync(type);

        Assert.Equal(JobLimits.IsValidType(type), stored);
    }

    private async Task<bool> TryInsertTypeAsync(string type)
    {
        try
        {
            await _db.ExecuteAsync(
                "INSERT INTO jobs (id, type, status, priority, effective_priority, max_retries, timeout_ms) VALUES (gen_random_uuid(), $1, 'queued', 3, 3, 0, 1000)", type);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation && e.ConstraintName == "jobs_type_check")
        {
            return false;
        }
    }
}
