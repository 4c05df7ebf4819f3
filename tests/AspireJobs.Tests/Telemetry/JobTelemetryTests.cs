using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Telemetry;
using AspireJobs.ServiceDefaults;
using AspireJobs.Tests.Infrastructure;
using AspireJobs.Worker;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AspireJobs.Tests.Telemetry;

/// <summary>
/// A job's telemetry, exported in memory from an in-process Api and an in-process worker: one
/// trace from the client's request through the enqueue to each attempt's acquisition, handler
/// and finishing write, retries as linked attempts; the Meter's counts and times; the job's
/// id and type on every log line written while it runs; and a cancelled job counted once, by the
/// Api or by the worker that stopped it.
/// </summary>
public sealed partial class JobTelemetryTests(TestServers servers) : IAsyncLifetime
{
    // Types of this test's own: other tests in this process never count towards its measurements.
    private static readonly string Type = $"telemetry.{Guid.NewGuid():N}";
    private static readonly string StallingType = $"telemetry.stalling.{Guid.NewGuid():N}";
    private readonly List<Activity> _spans = [];
    private readonly List<MetricSnapshot> _metrics = [];
    private readonly List<Dictionary<string, object?>> _handlerLogScopes = [];
    private TracerProvider _tracing = null!;
    private MeterProvider _meters = null!;
    private TestSystem _system = null!;
    private IHost _worker = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Fails its first attempt, succeeds after; logs once per attempt.</summary>
    public sealed partial class FlakyHandler(ILogger<FlakyHandler> logger) : IJobHandler<object, object?>
    {
        public Task<object?> HandleAsync(object payload, JobContext context, CancellationToken cancellationToken)
        {
            LogHandling(context.Attempt);
            return context.Attempt == 1 ? throw new InvalidOperationException("first attempt fails") : Task.FromResult<object?>(null);
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Handling attempt {Attempt}")]
        private partial void LogHandling(int attempt);
    }

    /// <summary>Runs until it is cancelled.</summary>
    public sealed class StallingHandler : IJobHandler<object, object?>
    {
        public async Task<object?> HandleAsync(object payload, JobContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return null;
        }
    }

    public async ValueTask InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource(JobsTelemetry.Name).AddAspNetCoreInstrumentation().AddInMemoryExporter(_spans).Build();
        _meters = Sdk.CreateMeterProviderBuilder().AddMeter(JobsTelemetry.Name).AddInMemoryExporter(_metrics).Build();
        _system = await TestSystem.CreateAsync(servers);
        await _system.StartHealthMonitorAsync(); // promotes the retry

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(_system.Environment(new Dictionary<string, string?>
        {
            ["Worker__RetryBaseDelay"] = "00:00:00.050",
            ["Worker__RetryMaxDelay"] = "00:00:00.100",
        }).Select(setting => KeyValuePair.Create(setting.Key.Replace("__", ":", StringComparison.Ordinal), setting.Value)));
        builder.AddJobsNpgsqlDataSource("jobsdb", sessionsKeepNoState: true);
        builder.AddJobsRedisClient("redis");
        builder.AddWorker();
        builder.Services.AddJobHandler<FlakyHandler>(Type);
        builder.Services.AddJobHandler<StallingHandler>(StallingType);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            logging.AddProcessor(new ScopeRecorder(_handlerLogScopes));
        });
        _worker = builder.Build();
        await _worker.StartAsync(Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.StopAsync(CancellationToken.None);
        _worker.Dispose();
        await _system.DisposeAsync();
        _tracing.Dispose();
        _meters.Dispose();
    }

    /// <summary>Creates a job of the flaky type in the client's trace, waits for its second attempt to complete, then stops the worker and flushes its spans.</summary>
    private async Task<Guid> RunFlakyJobAsync(string traceParent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = JsonContent.Create(new { type = Type, maxRetries = 1 }) };
        request.Headers.Add("traceparent", traceParent);
        using var response = await _system.Api().SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).Id();
        await _system.WaitUntilAsync(async () => (await _system.Store.JobGetByIdAsync(id, Token))!.Status == JobStatus.Completed, TimeSpan.FromSeconds(30), "the job to complete on its second attempt");
        await _worker.StopAsync(Token); // every span and measurement of the attempts has ended
        _tracing.ForceFlush();
        return id;
    }

    [Fact]
    public async Task AJobsTrace_RunsFromTheRequestThroughEveryAttempt_ItsMetricsCount_AndItsLogsCarryItsId()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var clientSpan = ActivitySpanId.CreateRandom();
        var id = await RunFlakyJobAsync($"00-{traceId}-{clientSpan}-01");
        _meters.ForceFlush();

        var trace = _spans.Where(span => span.TraceId == traceId).ToList();
        var post = Assert.Single(trace, span => span.Source.Name == "Microsoft.AspNetCore");
        Assert.Equal(clientSpan, post.ParentSpanId);
        var send = Assert.Single(trace, span => span.DisplayName == $"send {Type}");
        Assert.Equal((ActivityKind.Producer, post.SpanId), (send.Kind, send.ParentSpanId));

        var processes = trace.Where(span => span.DisplayName == $"process {Type}").OrderBy(span => span.StartTimeUtc).ToList();
        Assert.Equal([1, 2], processes.Select(span => (int)span.GetTagItem(JobsTelemetry.AttemptTag)!));
        foreach (var process in processes)
        {
            Assert.Equal((ActivityKind.Consumer, send.SpanId), (process.Kind, process.ParentSpanId));
            Assert.Equal(send.SpanId, Assert.Single(process.Links).Context.SpanId);
            Assert.Equal(id.ToString(), process.GetTagItem(JobsTelemetry.MessageIdTag));
            Assert.Single(trace, span => span.DisplayName == $"settle {Type}" && span.ParentSpanId == process.SpanId);
        }

        Assert.Equal((ActivityStatusCode.Error, typeof(InvalidOperationException).FullName), (processes[0].Status, processes[0].GetTagItem("error.type")));
        Assert.Equal(ActivityStatusCode.Unset, processes[1].Status);
        Assert.Equal(2, trace.Count(span => span.DisplayName == $"receive {Type}" && span.ParentSpanId == send.SpanId));

        Assert.Equal(1, Sum("aspirejobs.jobs.created"));
        Assert.Equal(2, Sum("aspirejobs.jobs.started"));
        Assert.Equal(1, Sum("aspirejobs.jobs.failed"));
        Assert.Equal(1, Sum("aspirejobs.jobs.retried"));
        Assert.Equal(0, Sum("aspirejobs.jobs.dead_lettered"));
        Assert.Equal(1, Sum("aspirejobs.jobs.completed"));
        Assert.Equal(2, HistogramCount("aspirejobs.job.wait.duration"));
        Assert.Equal(2, HistogramCount("aspirejobs.job.run.duration"));
        Assert.Equal(2, HistogramCount("aspirejobs.job.finish.duration"));

        var scopes = _handlerLogScopes.Where(scope => scope.GetValueOrDefault("JobType") as string == Type).ToList();
        Assert.Equal(2, scopes.Count);
        Assert.All(scopes, scope => Assert.Equal(id, scope["JobId"]));
        Assert.Equal([1, 2], scopes.Select(scope => (int)scope["JobAttempt"]!));
    }

    [Fact]
    public async Task AJobCreatedInATraceNotSampled_LeavesNoSpanOfItsAttempts()
    {
        var id = await RunFlakyJobAsync($"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00");

        // Its attempts follow the request's decision: no receive, process or settle span, in a
        // trace of its own or any other.
        Assert.DoesNotContain(_spans, span => span.GetTagItem(JobsTelemetry.MessageIdTag) as string == id.ToString());
    }

    [Fact]
    public async Task AJobCancelledThroughTheApi_BeforeItStarted_CountsOnce()
    {
        using var http = _system.Api();
        var id = (await http.PostJsonAsync("/api/jobs", new { type = Type, runAt = DateTimeOffset.UtcNow.AddHours(1) }, HttpStatusCode.Created)).Id();
        Assert.Equal(JobStatus.Scheduled, (await _system.Store.JobGetByIdAsync(id, Token))!.Status);

        Assert.Equal("cancelled", (await http.PostJsonAsync($"/api/jobs/{id}/cancel", HttpStatusCode.OK)).Status());
        await http.PostJsonAsync($"/api/jobs/{id}/cancel", HttpStatusCode.Conflict); // already finished: nothing more to count
        _meters.ForceFlush();

        Assert.Equal(1, Sum("aspirejobs.jobs.cancelled"));
        Assert.Equal(0, Sum("aspirejobs.jobs.started"));
    }

    [Fact]
    public async Task ARunningJobCancelledThroughTheApi_IsCountedOnce_ByTheWorkerThatStopsIt()
    {
        using var http = _system.Api();
        var id = (await http.PostJsonAsync("/api/jobs", new { type = StallingType }, HttpStatusCode.Created)).Id();
        await _system.WaitUntilAsync(async () => (await _system.Store.JobGetByIdAsync(id, Token))!.Status == JobStatus.Running, TimeSpan.FromSeconds(30), "the job to run");

        await http.PostJsonAsync($"/api/jobs/{id}/cancel", HttpStatusCode.Accepted);
        await _system.WaitUntilAsync(async () => (await _system.Store.JobGetByIdAsync(id, Token))!.Status == JobStatus.Cancelled, TimeSpan.FromSeconds(30), "the worker to record the cancellation");
        await _worker.StopAsync(Token);
        _meters.ForceFlush();

        Assert.Equal(1, Sum("aspirejobs.jobs.cancelled", StallingType));
    }

    private List<MetricPoint> PointsOf(string name, string type)
    {
        // Cumulative: the last export of a metric holds its totals.
        var snapshot = _metrics.LastOrDefault(metric => metric.Name == name);
        if (snapshot is null)
        {
            return [];
        }

        return snapshot.MetricPoints.Where(point =>
        {
            foreach (var tag in point.Tags)
            {
                if (tag.Key == JobsTelemetry.DestinationTag && tag.Value as string == type)
                {
                    return true;
                }
            }

            return false;
        }).ToList();
    }

    private long Sum(string name, string? type = null) => PointsOf(name, type ?? Type).Sum(point => point.GetSumLong());

    private long HistogramCount(string name) => PointsOf(name, Type).Sum(point => point.GetHistogramCount());

    /// <summary>Keeps the scope values of every log record written by the test's handler, while they can be read.</summary>
    private sealed class ScopeRecorder(List<Dictionary<string, object?>> scopes) : BaseProcessor<LogRecord>
    {
        public override void OnEnd(LogRecord record)
        {
            if (record.CategoryName?.EndsWith(nameof(FlakyHandler), StringComparison.Ordinal) != true)
            {
                return;
            }

            var values = new Dictionary<string, object?>();
            record.ForEachScope((scope, state) =>
            {
                foreach (var (key, value) in scope)
                {
                    state[key] = value;
                }
            }, values);
            lock (scopes)
            {
                scopes.Add(values);
            }
        }
    }
}
