using System.Net;
using AspireJobs.AppHost.Lifecycle;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.HealthMonitor;
using AspireJobs.Tests.Infrastructure;
using Npgsql;
using StackExchange.Redis;

namespace AspireJobs.Tests.EndToEnd;

/// <summary>One AspireJobs through its AppHost, with fast heartbeats, for the tests below.</summary>
public sealed class RunningAspireJobs(TestServers servers) : IAsyncLifetime
{
    public AspireJobsApp System { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        System = await AspireJobsApp.StartAsync(servers.CreateDirectory("apphost"), workers: 2, new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["worker"] = FleetProcessTests.FastWorker.ToDictionary(v => v.Key, v => v.Value!),
            ["healthmonitor"] = FleetProcessTests.FastMonitor.ToDictionary(v => v.Key, v => v.Value!),
        });

    public async ValueTask DisposeAsync() => await System.DisposeAsync();
}

/// <summary>What the AppHost gives the processes it runs, and what it does when one of them dies.</summary>
public sealed class CrashAndEnvironmentTests(RunningAspireJobs running) : IClassFixture<RunningAspireJobs>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private AspireJobsApp System => running.System;

    [Fact]
    public async Task AWorkerReplicaKilledWithSigkill_IsRestarted_AndItsJobCompletesOnAnotherWorker()
    {
        var job = await System.Api.PostJsonAsync("/api/jobs", new { type = "sleep", payload = new { ms = 3000 } }, HttpStatusCode.Created);
        var running = await AppHostEndToEndTests.PollAsync(System.Api, $"/api/jobs/{job.Id()}", j => j.Status() == "running");
        var victimId = running.GetProperty("workerId").GetGuid();
        var victimPid = (await System.Api.GetJsonAsync("/api/workers")).EnumerateArray()
            .Single(w => w.Id() == victimId).GetProperty("processId").GetInt32();
        var replica = System.Status().Resources.Single(r => r.ProcessId == victimPid);

        PosixSignals.Send(victimPid, PosixSignals.SIGKILL);

        // At least once: on a busy machine the new process can itself miss its heartbeat timeout while
        // starting, exit as presumed dead (exit code 3), and be restarted again, which is by design.
        await AppHostEndToEndTests.WaitUntilAsync(
            () => System.Status().Resources.Single(r => r.Name == replica.Name) is { Restarts: >= 1, State: "Running", ProcessId: { } pid } && pid != victimPid,
            "the killed replica to be restarted",
            async () => $"{System.Status().Resources.Single(r => r.Name == replica.Name)}\n{await System.ConsoleLogTailAsync(replica.Name)}");
        var done = await AppHostEndToEndTests.PollAsync(System.Api, $"/api/jobs/{job.Id()}", j => j.Status() == "completed");
        Assert.NotEqual(victimId, done.GetProperty("workerId").GetGuid());
        var attempts = (await System.Api.GetJsonAsync($"/api/jobs/{job.Id()}/executions")).EnumerateArray()
            .Select(a => a.GetProperty("status").GetString()).ToList();
        Assert.Equal(["abandoned", "completed"], attempts);
    }

    [Fact]
    public async Task EveryService_GetsAspiresConnectionStrings_ConnectionProperties_ServiceDiscoveryAndTelemetry()
    {
        var replicas = await RunningWorkersAsync();
        var workers = replicas.Select(w => w.Worker).ToList();
        var api = System.Status().Resources.Single(r => r.Resource == "api");
        var env = replicas[0].Environment;

        // PostgreSQL, as Aspire's PostgreSQL integration injects a database.
        var jobsdb = new NpgsqlConnectionStringBuilder(env["ConnectionStrings__jobsdb"]);
        Assert.Equal(("127.0.0.1", "postgres", "jobsdb"), (jobsdb.Host, jobsdb.Username, jobsdb.Database));
        Assert.Equal((env["JOBSDB_HOST"], env["JOBSDB_PORT"], env["JOBSDB_USERNAME"], env["JOBSDB_PASSWORD"], env["JOBSDB_DATABASENAME"]),
            (jobsdb.Host, jobsdb.Port.ToString(global::System.Globalization.CultureInfo.InvariantCulture), jobsdb.Username, jobsdb.Password, "jobsdb"));
        Assert.Equal($"postgresql://postgres:{Uri.EscapeDataString(jobsdb.Password!)}@127.0.0.1:{jobsdb.Port}/jobsdb", env["JOBSDB_URI"]);
        Assert.Equal($"jdbc:postgresql://127.0.0.1:{jobsdb.Port}/jobsdb", env["JOBSDB_JDBCCONNECTIONSTRING"]);
        // Unpooled: an idle pooled session would hold PostgreSQL's shutdown open at the end.
        await using (var connection = new NpgsqlConnection(jobsdb.ConnectionString + ";Pooling=false"))
        {
            await connection.OpenAsync(Token);
        }

        // Redis, as Aspire's Redis integration injects it.
        Assert.Equal($"127.0.0.1:{env["REDIS_PORT"]},password={env["REDIS_PASSWORD"]}", env["ConnectionStrings__redis"]);
        Assert.Equal(("127.0.0.1", $"redis://:{env["REDIS_PASSWORD"]}@127.0.0.1:{env["REDIS_PORT"]}"), (env["REDIS_HOST"], env["REDIS_URI"]));
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(env["ConnectionStrings__redis"]))
        {
            await redis.GetDatabase().PingAsync();
        }

        // Service discovery of the api, for the workers that reference it.
        Assert.Equal(api.Endpoints[0], env["services__api__http__0"]);
        Assert.Equal(api.Endpoints[0], env["API_HTTP"]);

        // Telemetry: one service name, one instance id per replica (the replica's own suffix).
        var instanceIds = replicas.Select(w => w.Environment).Select(e =>
        {
            Assert.Equal("worker", e["OTEL_SERVICE_NAME"]);
            // No dashboard runs here, so nothing would receive an export (DashboardTelemetryTests has one).
            Assert.False(e.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"));
            Assert.False(e.ContainsKey("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"));
            return e["OTEL_RESOURCE_ATTRIBUTES"];
        }).ToList();
        Assert.Equal(workers.Select(w => $"service.instance.id={w.Name["worker-".Length..]}"), instanceIds);
        Assert.Equal("api", Environment(api.ProcessId!.Value)["OTEL_SERVICE_NAME"]);
    }

    [Fact]
    public async Task WorkerReplicas_RunTheNativelyCompiledWorker_WithNoJitRuntimeLoaded_AndRunTheBuiltInTypes()
    {
        var replicas = await RunningWorkersAsync(ExecutableAndMaps);
        foreach (var (_, image) in replicas)
        {
            AssertNativelyCompiled("Worker", image);
        }

        // Payloads and results go through the JSON generated at build time.
        var echo = await System.Api.PostJsonAsync("/api/jobs", new { type = "echo", payload = new { text = "native" } }, HttpStatusCode.Created);
        var fail = await System.Api.PostJsonAsync("/api/jobs", new { type = "fail", payload = new { times = 1 } }, HttpStatusCode.Created);
        var echoed = await AppHostEndToEndTests.PollAsync(System.Api, $"/api/jobs/{echo.Id()}", j => j.Status() == "completed");
        var failedOnce = await AppHostEndToEndTests.PollAsync(System.Api, $"/api/jobs/{fail.Id()}", j => j.Status() == "completed");
        Assert.Equal("native", echoed.GetProperty("result").GetProperty("text").GetString());
        Assert.Equal(2, failedOnce.GetProperty("result").GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task TheHealthMonitor_RunsNativelyCompiled_WithNoJitRuntimeLoaded_AndScoresTheWorkers()
    {
        var monitor = System.Status().Resources.Single(r => r.Resource == "healthmonitor" && r.State == "Running");
        var processId = monitor.ProcessId!.Value;
        AssertNativelyCompiled("HealthMonitor", ExecutableAndMaps(processId));

        // Each health sweep reads the workers' history back (its run durations as JSON, through the
        // JSON generated at build time) before it writes a new sample: samples from three sweeps
        // (two workers) mean the reads succeeded, and the sweep scored the workers.
        var jobsdb = (await RunningWorkersAsync())[0].Environment["ConnectionStrings__jobsdb"] + ";Pooling=false";
        await using (var connection = new NpgsqlConnection(jobsdb))
        {
            await connection.OpenAsync(Token);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM worker_health_logs", connection);
            var deadline = DateTime.UtcNow + AppHostEndToEndTests.Patience;
            while ((long)(await count.ExecuteScalarAsync(Token))! < 6)
            {
                Assert.True(DateTime.UtcNow < deadline, "fewer than three health sweeps of two workers were logged");
                await Task.Delay(200, Token);
            }
        }

        var workers = (await System.Api.GetJsonAsync("/api/workers")).EnumerateArray().Where(w => w.GetProperty("status").GetString() == "active").ToList();
        Assert.All(workers, w => Assert.Equal(global::System.Text.Json.JsonValueKind.Number, w.GetProperty("healthScore").ValueKind));
    }

    [Fact]
    public async Task EveryServerAndService_ListensOnLoopbackOnly_AndTheServersRefuseAClientWithoutTheirPassword()
    {
        var env = (await RunningWorkersAsync())[0].Environment;
        var status = System.Status();
        var ports = new List<int> { int.Parse(env["JOBSDB_PORT"], global::System.Globalization.CultureInfo.InvariantCulture), int.Parse(env["REDIS_PORT"], global::System.Globalization.CultureInfo.InvariantCulture) };
        ports.AddRange(status.Resources.SelectMany(r => r.Endpoints).Select(url => new Uri(url).Port));

        var listening = ListeningSockets();
        foreach (var port in ports.Distinct())
        {
            var addresses = listening.Where(l => l.Port == port).Select(l => l.Address).ToList();
            Assert.True(addresses.Count > 0 && addresses.All(a => a is "127.0.0.1" or "::1"), $"port {port} listens on {string.Join(", ", addresses)}");
        }

        var jobsdb = new NpgsqlConnectionStringBuilder(env["ConnectionStrings__jobsdb"]);
        Assert.True(jobsdb.Password!.Length >= 32, "the PostgreSQL password is not a generated one");
        Assert.True(env["REDIS_PASSWORD"].Length >= 32, "the Redis password is not a generated one");
        jobsdb.Password = "wrong";
        await using (var intruder = new NpgsqlConnection(jobsdb.ConnectionString + ";Pooling=false"))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => intruder.OpenAsync(TestContext.Current.CancellationToken));
            Assert.Equal("28P01", refused.SqlState); // invalid_password
        }

        // Redis, spoken to directly: a command without AUTH is refused.
        using var redis = new global::System.Net.Sockets.TcpClient();
        await redis.ConnectAsync("127.0.0.1", int.Parse(env["REDIS_PORT"], global::System.Globalization.CultureInfo.InvariantCulture), TestContext.Current.CancellationToken);
        var stream = redis.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        var answer = new byte[256];
        var read = await stream.ReadAsync(answer, TestContext.Current.CancellationToken);
        Assert.StartsWith("-NOAUTH", global::System.Text.Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
    }

    /// <summary>Every listening TCP socket of the machine, from the kernel's tables: address and port.</summary>
    private static List<(string Address, int Port)> ListeningSockets()
    {
        const string Listen = "0A";
        var sockets = new List<(string, int)>();
        foreach (var (table, v6) in new[] { ("/proc/net/tcp", false), ("/proc/net/tcp6", true) })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] != Listen)
                {
                    continue;
                }

                var (hexAddress, hexPort) = (fields[1].Split(':')[0], fields[1].Split(':')[1]);
                var bytes = Convert.FromHexString(hexAddress);
                // The kernel prints each 32-bit word in host (little-endian) order.
                for (var word = 0; word < bytes.Length; word += 4)
                {
                    Array.Reverse(bytes, word, 4);
                }

                var address = new global::System.Net.IPAddress(bytes);
                sockets.Add((address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString(), Convert.ToInt32(hexPort, 16)));
            }
        }

        return sockets;
    }

    /// <summary>
    /// A process runs what the AppHost's build published for <paramref name="project"/>: a JIT-run
    /// .NET process maps the runtime and the JIT; a native one is its own executable.
    /// </summary>
    private static void AssertNativelyCompiled(string project, (string Executable, string Maps) image)
    {
        Assert.Equal(RepositoryRoot.ServiceAsRun(project), image.Executable);
        Assert.Contains($"{Path.DirectorySeparatorChar}publish{Path.DirectorySeparatorChar}", image.Executable, StringComparison.Ordinal);
        Assert.DoesNotContain("libcoreclr.so", image.Maps, StringComparison.Ordinal);
        Assert.DoesNotContain("libclrjit.so", image.Maps, StringComparison.Ordinal);
    }

    /// <summary>The file a process runs, and what it has mapped, as the kernel holds them.</summary>
    private static (string Executable, string Maps) ExecutableAndMaps(int processId) =>
        (new FileInfo($"/proc/{processId}/exe").ResolveLinkTarget(returnFinalTarget: true)!.FullName, File.ReadAllText($"/proc/{processId}/maps"));

    /// <summary>The worker replicas listed as running, each with its environment (<see cref="RunningWorkersAsync{T}"/>).</summary>
    private Task<List<(ResourceStatus Worker, Dictionary<string, string> Environment)>> RunningWorkersAsync() => RunningWorkersAsync(Environment);

    /// <summary>
    /// The worker replicas listed as running, each with what <paramref name="read"/> reads of its
    /// process, once every one of them has a process to read: after the crash test, a replica
    /// restarting on a busy machine can exit as presumed dead and still be listed, for a moment,
    /// under the process it had.
    /// </summary>
    private async Task<List<(ResourceStatus Worker, T Read)>> RunningWorkersAsync<T>(Func<int, T> read)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var workers = System.Status().Resources.Where(r => r.Resource == "worker" && r.State == "Running").ToList();
            try
            {
                if (workers.Count > 0)
                {
                    return workers.Select(w => (w, read(w.ProcessId!.Value))).ToList();
                }
            }
            catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException && DateTime.UtcNow < deadline)
            {
                // Listed under a process that is gone: read the list again.
            }

            Assert.True(DateTime.UtcNow < deadline, "no worker replica was running with a process to read");
            await Task.Delay(200, Token);
        }
    }

    /// <summary>A process's environment as the kernel holds it.</summary>
    private static Dictionary<string, string> Environment(int processId) =>
        File.ReadAllText($"/proc/{processId}/environ")
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(variable => variable.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "");
}
