using System.Net;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.HealthMonitor;

/// <summary>
/// The degradation harness, short: three workers under a steady light load with failing jobs sent
/// to every one of them; one of the three falls sick in a named way after the monitor has learnt
/// their baselines. The sick one is flagged for that, the other two for nothing, and no automatic
/// action touches them.
/// </summary>
public sealed class SickWorkerTests(TestServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Time for the monitor to learn the three workers' baselines before one falls sick.</summary>
    private static readonly TimeSpan Onset = TimeSpan.FromSeconds(14);

    private static readonly Dictionary<string, string?> Worker = new()
    {
        ["Worker__HeartbeatInterval"] = "00:00:00.500",
        ["Worker__HeartbeatTimeout"] = "00:00:10", // the stalls stay short of it: sick, not dead
        ["Worker__MetricsInterval"] = "00:00:01",
    };

    private static readonly Dictionary<string, string?> Monitor = new()
    {
        ["HealthMonitor__LivenessInterval"] = "00:00:00.500",
        ["HealthMonitor__LeaderPollInterval"] = "00:00:00.500",
        ["HealthMonitor__HealthInterval"] = "00:00:01",
        ["HealthMonitor__AnomalyFloors__ErrorMinimumAttempts"] = "5", // windows of 1 s under a light load
    };

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

    [Theory]
    [InlineData("stall", "heartbeat_jitter_ms")]
    [InlineData("errors", "error_rate")]
    [InlineData("leak", "memory_bytes")]
    public async Task OneSickWorkerOfThree_IsFlaggedForIt_AndTheOtherTwoForNothing(string sickness, string expectedMetric)
    {
        var drill = sickness switch
        {
            "errors" => new Dictionary<string, string?> { ["Worker__Drill__FailShare"] = "0.9" },
            "leak" => new Dictionary<string, string?> { ["Worker__Drill__LeakBytesPerSecond"] = (64L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            _ => [],
        };
        var healthy = await Task.WhenAll(_system.StartWorkerAsync(Worker), _system.StartWorkerAsync(Worker));
        var startingSick = DateTimeOffset.UtcNow;
        var sick = await _system.StartWorkerAsync(new Dictionary<string, string?>(Worker.Concat(drill)) { ["Worker__Drill__StartAfter"] = Onset.ToString() });
        await _system.StartHealthMonitorAsync(Monitor);

        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var load = LoadAsync(stopLoad.Token);
        var onset = startingSick + Onset; // no earlier than the drill's start
        await Task.Delay(onset - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        if (sickness == "stall")
        {
            onset = DateTimeOffset.UtcNow;
            for (var pause = 0; pause < 2; pause++)
            {
                sick.Signal(PosixSignals.SIGSTOP);
                await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
                sick.Signal(PosixSignals.SIGCONT);
                await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            }
        }

        var sickId = await WorkerIdAsync(sick);
        await _system.WaitUntilAsync(async () => (await AnomaliesAsync()).Any(a => a.Worker == sickId && a.Metric == expectedMetric), Patience, $"the sick worker flagged for {expectedMetric}");
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // room for false alarms on the others
        await stopLoad.CancelAsync();
        await load;

        var anomalies = await AnomaliesAsync();
        var healthyIds = await Task.WhenAll(healthy.Select(WorkerIdAsync));
        Assert.True(anomalies.All(a => a.Worker == sickId), $"anomalies on healthy workers: {string.Join("; ", anomalies.Where(a => a.Worker != sickId).Select(a => a.Reason))}");
        Assert.True(anomalies.All(a => a.At >= onset), $"anomalies before the worker fell sick: {string.Join("; ", anomalies.Where(a => a.At < onset).Select(a => a.Reason))}");
        foreach (var id in healthyIds)
        {
            Assert.Equal("active", await _system.Database.ScalarAsync<string>("SELECT status FROM workers WHERE id = $1", id));
        }
    }

    /// <summary>About 50 jobs a second, 15 % of them failing on any worker: the fleet-wide trouble no single worker is to blame for.</summary>
    private async Task LoadAsync(CancellationToken stop)
    {
        var batch = new
        {
            jobs = Enumerable.Range(0, 20).Select(i => i % 7 == 0
                ? (object)new { type = "fail", maxRetries = 0, payload = new { always = true, message = "the job's own fault" } }
                : new { type = "noop" }).ToArray(),
        };
        try
        {
            while (true)
            {
                await _http.PostJsonAsync("/api/jobs/batch", batch, HttpStatusCode.Created);
                await Task.Delay(TimeSpan.FromMilliseconds(400), stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The test has seen enough.
        }
    }

    private Task<Guid> WorkerIdAsync(ServiceProcess worker) =>
        _system.Database.ScalarAsync<Guid>("SELECT id FROM workers WHERE process_id = $1", worker.ProcessId);

    private async Task<List<(Guid Worker, string Metric, DateTimeOffset At, string Reason)>> AnomaliesAsync()
    {
        var page = await _http.GetJsonAsync("/api/health/anomalies?limit=200");
        return page.GetProperty("items").EnumerateArray()
            .Select(a => (a.GetProperty("workerId").GetGuid(), a.GetProperty("metric").GetString()!, a.GetProperty("detectedAt").GetDateTimeOffset(), a.GetProperty("reason").GetString()!))
            .ToList();
    }
}
