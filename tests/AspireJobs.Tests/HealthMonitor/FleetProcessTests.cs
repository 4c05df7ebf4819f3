using System.Diagnostics;
using System.Net;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.HealthMonitor;

/// <summary>Crash recovery, fencing and leader failover with real worker and health-monitor processes.</summary>
public sealed class FleetProcessTests(TestServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(2);
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

    internal static readonly Dictionary<string, string?> FastWorker = new()
    {
        ["Worker__HeartbeatInterval"] = "00:00:00.400",
        ["Worker__HeartbeatTimeout"] = "00:00:02",
        ["Worker__MetricsInterval"] = "00:00:00.500",
    };

    internal static readonly Dictionary<string, string?> FastMonitor = new()
    {
        ["HealthMonitor__LivenessInterval"] = "00:00:00.200",
        ["HealthMonitor__RedisLossGrace"] = "00:00:01",
        ["HealthMonitor__LeaderPollInterval"] = "00:00:00.500",
        ["HealthMonitor__HealthInterval"] = "00:00:00.500",
    };

    private Task<long> CountAsync(string sql, params object[] parameters) => _system.Database.ScalarAsync<long>(sql, parameters);

    private async Task<Guid> StartOneLongJobAsync()
    {
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "sleep", payload = new { ms = 4000 } }, HttpStatusCode.Created);
        await _system.WaitUntilAsync(async () => (await _http.GetJsonAsync($"/api/jobs/{job.Id()}")).Status() == "running", Patience, "the job to start");
        return job.Id();
    }

    private async Task<ServiceProcess> RunnerOfAsync(Guid jobId, IEnumerable<ServiceProcess> workers)
    {
        var workerRow = await _system.Database.ScalarAsync<int>("SELECT w.process_id FROM jobs j JOIN workers w ON w.id = j.worker_id WHERE j.id = $1", jobId);
        return workers.Single(w => w.ProcessId == workerRow);
    }

    [Fact]
    public async Task AKilledWorkersJob_CompletesOnceElsewhere_WithinTheHeartbeatTimeout()
    {
        var workers = await Task.WhenAll(_system.StartWorkerAsync(FastWorker), _system.StartWorkerAsync(FastWorker));
        await _system.StartHealthMonitorAsync(FastMonitor);
        var jobId = await StartOneLongJobAsync();
        var victim = await RunnerOfAsync(jobId, workers);

        var killed = Stopwatch.StartNew();
        victim.Signal(PosixSignals.SIGKILL);
        await _system.WaitUntilAsync(async () => await _system.Database.ScalarAsync<int>("SELECT attempts FROM jobs WHERE id = $1", jobId) == 2, Patience, "the job to start again");
        var restartedAfter = killed.Elapsed;
        await _system.WaitUntilAsync(async () => (await _http.GetJsonAsync($"/api/jobs/{jobId}")).Status() == "completed", Patience, "the job to complete");

        Assert.InRange(restartedAfter, TimeSpan.Zero, HeartbeatTimeout + TimeSpan.FromSeconds(8)); // the bound is the timeout plus a sweep; slack for a busy machine
        var attempts = (await _http.GetJsonAsync($"/api/jobs/{jobId}/executions")).EnumerateArray().Select(a => a.GetProperty("status").GetString()).ToList();
        Assert.Equal(["abandoned", "completed"], attempts);
        Assert.Equal("dead", await _system.Database.ScalarAsync<string>("SELECT status FROM workers WHERE process_id = $1", victim.ProcessId));
        var listed = await _http.GetJsonAsync("/api/workers");
        Assert.Contains(listed.EnumerateArray(), w => w.GetProperty("processId").GetInt32() == victim.ProcessId && w.GetProperty("status").GetString() == "dead");
    }

    [Fact]
    public async Task APausedWorkerThatResumes_CannotFinishTheJobItLost()
    {
        var workers = await Task.WhenAll(_system.StartWorkerAsync(FastWorker), _system.StartWorkerAsync(FastWorker));
        await _system.StartHealthMonitorAsync(FastMonitor);
        var jobId = await StartOneLongJobAsync();
        var paused = await RunnerOfAsync(jobId, workers);

        paused.Signal(PosixSignals.SIGSTOP);
        await _system.WaitUntilAsync(async () => (await _http.GetJsonAsync($"/api/jobs/{jobId}")).Status() == "completed", Patience, "the job to complete on the other worker");
        // Work waiting when it comes back, more than the other worker can take at once.
        await _http.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 100).Select(_ => new { type = "sleep", payload = new { ms = 300 } }) }, HttpStatusCode.Created);
        paused.Signal(PosixSignals.SIGCONT);

        // The resumed worker learns it was given up and exits; whatever it finished was fenced out,
        // and it took no new job meanwhile (one would be rescued from it as from a crash).
        Assert.Equal(3, await paused.Exited.WaitAsync(Patience, TestContext.Current.CancellationToken));
        Assert.Equal(0L, await CountAsync(
            "SELECT count(*) FROM job_executions x JOIN workers w ON w.id = x.worker_id WHERE w.process_id = $1 AND x.job_id <> $2", paused.ProcessId, jobId));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM job_executions WHERE job_id = $1 AND status = 'completed'", jobId));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM job_executions WHERE job_id = $1 AND status = 'abandoned'", jobId));
        Assert.NotEqual(paused.ProcessId, await _system.Database.ScalarAsync<int>("SELECT w.process_id FROM jobs j JOIN workers w ON w.id = j.worker_id WHERE j.id = $1", jobId));
    }

    /// <summary>
    /// A worker measured over windows of a second: one of half a second holds a single beat
    /// interval and a GC pause or two, and one stall of the busy test machine scored a healthy worker 0.
    /// </summary>
    private static readonly Dictionary<string, string?> EvenlyMeasuredWorker = new(FastWorker)
    {
        ["Worker__HeartbeatInterval"] = "00:00:01",
        ["Worker__HeartbeatTimeout"] = "00:00:04",
        ["Worker__MetricsInterval"] = "00:00:01",
    };

    /// <summary>A worker that writes no start for 20 s: a job it takes stays queued in PostgreSQL, running on its Redis lease alone.</summary>
    private static readonly Dictionary<string, string?> LongStartWindow = new(FastWorker) { ["Worker__StartWindow"] = "00:00:20" };

    /// <summary>The worker that takes over: never judged dead on a busy machine, so the test waits on the victim alone.</summary>
    private static readonly Dictionary<string, string?> SteadyWorker = new(FastWorker) { ["Worker__HeartbeatTimeout"] = "00:00:15" };

    /// <summary>
    /// Starts a worker with a long start window and an 8 s job on it; returns the worker once it
    /// holds the job's lease while PostgreSQL still says queued. The caller stops it at once, and
    /// only then starts another worker, which could otherwise take the job first.
    /// </summary>
    private async Task<(ServiceProcess Worker, Guid JobId)> JobInItsStartWindowAsync()
    {
        var worker = await _system.StartWorkerAsync(LongStartWindow);
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "sleep", payload = new { ms = 8000 } }, HttpStatusCode.Created);
        await _system.WaitUntilAsync(async () => (await _system.Redis.GetDatabase().HashGetAsync(_system.Keys.LeaseOwners, job.Id().ToString())).HasValue, Patience, "the job to be leased");
        Assert.Equal("queued", (await _http.GetJsonAsync($"/api/jobs/{job.Id()}")).Status());
        return (worker, job.Id());
    }

    [Fact]
    public async Task AWorkerKilledBetweenLeaseAndStartWrite_HasItsAttemptRecordedAbandoned_AndTheJobCompletesElsewhere()
    {
        await _system.StartHealthMonitorAsync(FastMonitor);
        var (victim, jobId) = await JobInItsStartWindowAsync();

        victim.Signal(PosixSignals.SIGKILL);
        await _system.StartWorkerAsync(SteadyWorker);
        await _system.WaitUntilAsync(async () => (await _http.GetJsonAsync($"/api/jobs/{jobId}")).Status() == "completed", Patience, "the job to complete on the other worker");

        var attempts = (await _http.GetJsonAsync($"/api/jobs/{jobId}/executions")).EnumerateArray().Select(a => a.GetProperty("status").GetString()).ToList();
        Assert.Equal(["abandoned", "completed"], attempts);
        Assert.Equal((2, 1), (await _system.Database.ScalarAsync<int>("SELECT attempts FROM jobs WHERE id = $1", jobId), await _system.Database.ScalarAsync<int>("SELECT crashes FROM jobs WHERE id = $1", jobId)));
        Assert.Equal("dead", await _system.Database.ScalarAsync<string>("SELECT status FROM workers WHERE process_id = $1", victim.ProcessId));
    }

    [Fact]
    public async Task AWorkerPausedBeforeItsStartWasWritten_CannotRecordTheJobItLost_WhenItResumes()
    {
        await _system.StartHealthMonitorAsync(FastMonitor);
        var (paused, jobId) = await JobInItsStartWindowAsync();

        paused.Signal(PosixSignals.SIGSTOP);
        await _system.StartWorkerAsync(SteadyWorker);
        await _system.WaitUntilAsync(async () => (await _http.GetJsonAsync($"/api/jobs/{jobId}")).Status() == "completed", Patience, "the job to complete on the other worker");
        var completed = await _system.Database.ScalarAsync<DateTime>("SELECT completed_at FROM jobs WHERE id = $1", jobId);
        paused.Signal(PosixSignals.SIGCONT);

        // Its handler ends and it tries to write start and outcome together, under a fence the rescue passed.
        Assert.Equal(3, await paused.Exited.WaitAsync(Patience, TestContext.Current.CancellationToken));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM job_executions WHERE job_id = $1 AND status = 'completed'", jobId));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM job_executions WHERE job_id = $1 AND status = 'abandoned'", jobId));
        Assert.Equal(completed, await _system.Database.ScalarAsync<DateTime>("SELECT completed_at FROM jobs WHERE id = $1", jobId));
        Assert.NotEqual(paused.ProcessId, await _system.Database.ScalarAsync<int>("SELECT w.process_id FROM jobs j JOIN workers w ON w.id = j.worker_id WHERE j.id = $1", jobId));
    }

    [Fact]
    public async Task WhenTheLeaderDies_AnotherMonitorTakesOver_AndStillRecoversCrashedWorkers()
    {
        var monitors = await Task.WhenAll(_system.StartHealthMonitorAsync(FastMonitor), _system.StartHealthMonitorAsync(FastMonitor));
        await _system.WaitUntilAsync(async () => await LeaderProcessAsync() is not null, Patience, "a leader");
        var leaderProcess = await LeaderProcessAsync();
        var leader = monitors.Single(m => m.ProcessId == leaderProcess);

        leader.Signal(PosixSignals.SIGKILL);
        var failover = Stopwatch.StartNew();
        await _system.WaitUntilAsync(async () => await LeaderProcessAsync() is { } pid && pid != leader.ProcessId, Patience, "a new leader");

        Assert.True(failover.Elapsed < TimeSpan.FromSeconds(15), $"failover took {failover.Elapsed}");
        // Both workers run before the job starts: starting one after could outlast the job on a busy machine.
        // Lenient heartbeats: on a busy machine the survivor was declared dead too, and no worker was left.
        var workers = await Task.WhenAll(_system.StartWorkerAsync(SteadyWorker), _system.StartWorkerAsync(SteadyWorker));
        var jobId = await StartOneLongJobAsync();
        (await RunnerOfAsync(jobId, workers)).Signal(PosixSignals.SIGKILL);
        await _system.WaitUntilAsync(async () => (await _http.GetJsonAsync($"/api/jobs/{jobId}")).Status() == "completed", Patience, "the new leader to recover the job");
        Assert.Equal(2, await _system.Database.ScalarAsync<int>("SELECT attempts FROM jobs WHERE id = $1", jobId));
    }

    [Fact]
    public async Task ADrainedWorker_FinishesWhatItHolds_AndTakesNothingNew()
    {
        var worker = await _system.StartWorkerAsync(FastWorker);
        var jobId = await StartOneLongJobAsync();
        var workerId = await _system.Database.ScalarAsync<Guid>("SELECT id FROM workers");

        var drained = await _http.PostJsonAsync($"/api/workers/{workerId}/drain", HttpStatusCode.OK);
        var later = await _http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created);

        Assert.Equal("draining", drained.GetProperty("status").GetString());
        await _system.WaitUntilAsync(async () => (await _http.GetJsonAsync($"/api/jobs/{jobId}")).Status() == "completed", Patience, "the held job to finish");
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        Assert.Equal("queued", (await _http.GetJsonAsync($"/api/jobs/{later.Id()}")).Status());
        Assert.False(worker.Exited.IsCompleted);
    }

    [Fact]
    public async Task AnEvacuatedWorker_HandsItsJobsBack_AndExits()
    {
        var worker = await _system.StartWorkerAsync(FastWorker);
        var jobId = await StartOneLongJobAsync();
        var workerId = await _system.Database.ScalarAsync<Guid>("SELECT id FROM workers");

        await _system.Dispatcher.OrderAsync(AspireJobs.Core.Dispatch.WorkerOrder.Exit, workerId);

        Assert.Equal(0, await worker.Exited.WaitAsync(Patience, TestContext.Current.CancellationToken));
        var job = await _http.GetJsonAsync($"/api/jobs/{jobId}");
        Assert.Equal(("queued", 0), (job.Status(), await _system.Database.ScalarAsync<int>("SELECT failures FROM jobs WHERE id = $1", jobId)));
        Assert.Equal("abandoned", (await _http.GetJsonAsync($"/api/jobs/{jobId}/executions"))[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheHealthMonitor_ScoresWorkers_AndServesTheirHistory()
    {
        await _system.StartWorkerAsync(EvenlyMeasuredWorker);
        await _system.StartHealthMonitorAsync(FastMonitor);
        await _http.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 50).Select(_ => new { type = "noop" }) }, HttpStatusCode.Created);
        var workerId = await _system.Database.ScalarAsync<Guid>("SELECT id FROM workers");

        await _system.WaitUntilAsync(async () => await CountAsync("SELECT count(*) FROM worker_health_logs") >= 3, Patience, "three health samples");

        var health = await _http.GetJsonAsync($"/api/health/workers/{workerId}");
        Assert.InRange(health.GetProperty("healthScore").GetDouble(), 0.5, 1);
        Assert.True(health.GetProperty("history").GetArrayLength() >= 3);
        Assert.Equal("none", health.GetProperty("recommendedAction").GetString());
        Assert.InRange(health.GetProperty("failureProbability").GetDouble(), 0, 1);
        var listed = Assert.Single((await _http.GetJsonAsync("/api/workers")).EnumerateArray());
        Assert.Equal(64, listed.GetProperty("capacity").GetInt32());
        await _http.GetJsonAsync($"/api/health/workers/{Guid.NewGuid()}", HttpStatusCode.NotFound);
        Assert.Equal(0, (await _http.GetJsonAsync("/api/health/anomalies")).GetProperty("items").GetArrayLength());
    }

    /// <summary>
    /// The process id of the health monitor holding the leader lock, from its connection's
    /// application name. Only this test's database: other tests' monitors run on the same server.
    /// </summary>
    private async Task<int?> LeaderProcessAsync()
    {
        await using var command = _system.Database.DataSource.CreateCommand(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid " +
            "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() AND a.application_name LIKE 'AspireJobs.HealthMonitor:%'");
        return await command.ExecuteScalarAsync() is string name ? int.Parse(name.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
