using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.Core.Dispatch;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.HealthMonitor;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Workflows;

/// <summary>Whole DAGs through the HTTP contract, run to the end by real worker processes.</summary>
public sealed class WorkflowProcessTests(TestServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private TestSystem _system = null!;
    private HttpClient _http = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

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

    private async Task<IReadOnlyList<Guid>> BatchAsync(object[] jobs) =>
        (await _http.PostJsonAsync("/api/jobs/batch", new { jobs }, HttpStatusCode.Created)).GetProperty("ids").EnumerateArray().Select(id => id.GetGuid()).ToList();

    private Task<long> CountAsync(string status) =>
        _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = $1", status);

    [Fact]
    public async Task ADiamondInOneBatch_RunsEachJobAfterItsParents_AndTheJoinReadsTheirResults()
    {
        var ids = await BatchAsync(
        [
            new { @ref = "a", type = "echo", payload = new { step = "a" }, priority = 4 },
            new { @ref = "b", type = "echo", payload = new { step = "b" }, dependsOn = new[] { "a" } },
            new { @ref = "c", type = "echo", payload = new { step = "c" }, dependsOn = new[] { "a" } },
            new { @ref = "d", type = "collect", dependsOn = new[] { "b", "c" } },
        ]);
        var d = await _http.GetJsonAsync($"/api/jobs/{ids[3]}");
        Assert.Equal(("waiting", 4), (d.Status(), d.GetProperty("priority").GetInt32())); // inherited down the edges

        await _system.StartWorkerAsync();
        await _system.WaitUntilAsync(async () => await CountAsync("completed") == 4, Patience, "the diamond to complete");

        var jobs = await Task.WhenAll(ids.Select(id => _http.GetJsonAsync($"/api/jobs/{id}")));
        DateTime Started(int i) => jobs[i].GetProperty("startedAt").GetDateTime();
        DateTime Completed(int i) => jobs[i].GetProperty("completedAt").GetDateTime();
        Assert.True(Started(1) >= Completed(0) && Started(2) >= Completed(0));
        Assert.True(Started(3) >= Completed(1) && Started(3) >= Completed(2));

        // The join read its parents' results.
        var collected = jobs[3].GetProperty("result").EnumerateArray().ToList();
        Assert.Equal(ids.Skip(1).Take(2).Order(), collected.Select(p => p.Id()).Order());
        Assert.Equal(["b", "c"], collected.Select(p => p.GetProperty("result").GetProperty("step").GetString()).Order());

        var graph = await _http.GetJsonAsync($"/api/jobs/{ids[3]}/graph");
        Assert.Equal(ids.Take(3).Order(), graph.GetProperty("ancestors").EnumerateArray().Select(n => n.Id()).Order());
        Assert.All(graph.GetProperty("ancestors").EnumerateArray(), n => Assert.Equal("completed", n.Status()));
    }

    [Fact]
    public async Task ACycleInABatch_IsRefusedWith409NamingIt_AndUnknownParentsWith400NamingThem()
    {
        using var cyclic = await _http.PostAsJsonAsync("/api/jobs/batch", new
        {
            jobs = new object[]
            {
                new { @ref = "x", type = "noop", dependsOn = new[] { "z" } },
                new { @ref = "y", type = "noop", dependsOn = new[] { "x" } },
                new { @ref = "z", type = "noop", dependsOn = new[] { "y" } },
            },
        }, Token);
        var problem = JsonDocument.Parse(await cyclic.Content.ReadAsStringAsync(Token)).RootElement;
        Assert.Equal(HttpStatusCode.Conflict, cyclic.StatusCode);
        Assert.Equal(["x", "y", "z"], problem.GetProperty("cycle").EnumerateArray().Select(r => r.GetString()).Order());

        var unknown = Guid.NewGuid();
        var missing = await _http.PostJsonAsync("/api/jobs", new { type = "noop", dependsOn = new[] { unknown } }, HttpStatusCode.BadRequest);
        Assert.Equal([unknown], missing.GetProperty("unknownIds").EnumerateArray().Select(id => id.GetGuid()));
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs"));
    }

    [Fact]
    public async Task ARefShapedAsAUuid_IsNamedInAnySpelling()
    {
        var reference = Guid.NewGuid();

        var ids = await BatchAsync(
        [
            new { @ref = reference.ToString("D").ToUpperInvariant(), type = "noop" },
            new { type = "noop", dependsOn = new[] { reference.ToString("B") } },
        ]);

        var dependent = await _http.GetJsonAsync($"/api/jobs/{ids[1]}");
        Assert.Equal([ids[0]], dependent.GetProperty("dependsOn").EnumerateArray().Select(id => id.GetGuid()));
    }

    [Fact]
    public async Task ABatchRepeatedWithItsIdempotencyKeys_AnswersTheSameJobs_EvenWhereRefsNameThem()
    {
        object[] Jobs() =>
        [
            new { @ref = "a", type = "noop", idempotencyKey = "nightly-a" },
            new { @ref = "b", type = "noop", idempotencyKey = "nightly-b", dependsOn = new[] { "a" } },
            new { type = "noop", idempotencyKey = "nightly-a" }, // the same key twice in one batch
        ];

        var first = await BatchAsync(Jobs());
        var again = await BatchAsync(Jobs());

        Assert.Equal(first, again);
        Assert.Equal(first[0], first[2]);
        Assert.Equal(2L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs"));
    }

    [Fact]
    public async Task AJobDependingOnNamesOfOneKeyHolder_WaitsForItOnce_AndRunsAfterIt()
    {
        var held = await _http.PostJsonAsync("/api/jobs", new { type = "noop", idempotencyKey = "held", runAt = DateTime.UtcNow.AddHours(1) }, HttpStatusCode.Created);

        var ids = await BatchAsync(
        [
            new { @ref = "a", type = "noop", idempotencyKey = "held" }, // a stored job holds the key
            new { @ref = "b", type = "noop", idempotencyKey = "fresh" },
            new { @ref = "c", type = "noop", idempotencyKey = "fresh" }, // the first of the batch holds it
            new { type = "noop", dependsOn = new[] { "a", held.Id().ToString(), "b", "c" } },
        ]);

        Assert.Equal((held.Id(), ids[1]), (ids[0], ids[2]));
        var edges = await _system.Database.ScalarAsync<string>(
            "SELECT string_agg(depends_on_id::text, ',' ORDER BY depends_on_id) FROM job_dependencies WHERE job_id = $1", ids[3]);
        Assert.Equal(string.Join(',', new[] { held.Id(), ids[1] }.Order().Select(id => id.ToString())), edges);
        Assert.Equal(2, await _system.Database.ScalarAsync<int>("SELECT dependencies_pending FROM jobs WHERE id = $1", ids[3]));

        await _system.StartWorkerAsync();
        await _system.WaitUntilAsync(async () => await CountAsync("completed") == 1, TimeSpan.FromSeconds(30), "the fresh job completed");
        Assert.Equal("waiting", (await _http.GetJsonAsync($"/api/jobs/{ids[3]}")).Status()); // the held job is due in an hour
        await _http.PostJsonAsync($"/api/jobs/{held.Id()}/cancel", HttpStatusCode.OK);
        Assert.Equal("cancelled", (await _http.GetJsonAsync($"/api/jobs/{ids[3]}")).Status()); // cancel: its default policy
    }

    [Theory]
    [InlineData("a depends on b, which has a's key: a on itself")]
    [InlineData("a depends on c, c on b, which has a's key: a on c on a")]
    public async Task ACycleClosedByARepeatedKey_IsRefusedWith409(string shape)
    {
        object[] jobs = shape.StartsWith("a depends on b", StringComparison.Ordinal)
            ?
            [
                new { @ref = "a", type = "noop", idempotencyKey = "k", dependsOn = new[] { "b" } },
                new { @ref = "b", type = "noop", idempotencyKey = "k" },
            ]
            :
            [
                new { @ref = "a", type = "noop", idempotencyKey = "k", dependsOn = new[] { "c" } },
                new { @ref = "c", type = "noop", idempotencyKey = (string?)null, dependsOn = new[] { "b" } },
                new { @ref = "b", type = "noop", idempotencyKey = (string?)"k", dependsOn = Array.Empty<string>() },
            ];

        using var answer = await _http.PostAsJsonAsync("/api/jobs/batch", new { jobs }, Token);

        Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs"));
    }

    [Fact]
    public async Task AChainOfTenThousand_CreatedInOneBatch_WaitsBehindItsFirstJob_AndReadsAsOneGraph()
    {
        const int Length = 10_000;
        var ids = await BatchAsync(Chain(Length));

        Assert.Equal(Length - 1, await CountAsync("waiting"));
        Assert.Equal((0L, 1L, 0L), await _system.Dispatcher.BandLengthsAsync());
        var graph = await _http.GetJsonAsync($"/api/jobs/{ids[^1]}/graph");
        var nearest = graph.GetProperty("ancestors")[0];
        Assert.Equal((ids[^2], 1), (nearest.GetProperty("id").GetGuid(), nearest.GetProperty("depth").GetInt32()));
        Assert.NotEqual(JsonValueKind.Null, graph.GetProperty("nextCursor").ValueKind);
    }

    [Fact]
    public async Task AChainOfTwoThousand_CreatedInOneBatch_RunsToTheEnd_EachJobAfterItsParent()
    {
        // Each link costs the same wherever it is in the chain (the time per thousand links is
        // flat along a chain of 10,000), so this length runs the same code as a longer one.
        const int Length = 2_000;
        var ids = await BatchAsync(Chain(Length));

        await _system.StartWorkerAsync();
        await _system.WaitUntilAsync(async () => await CountAsync("completed") == Length, TimeSpan.FromMinutes(5), "the chain to complete");

        Assert.Equal(Length - 1L, await _system.Database.ScalarAsync<long>(
            "SELECT count(*) FROM job_dependencies d JOIN jobs c ON c.id = d.job_id JOIN jobs p ON p.id = d.depends_on_id WHERE c.started_at >= p.completed_at"));
        Assert.Equal("completed", (await _http.GetJsonAsync($"/api/jobs/{ids[^1]}")).Status());
    }

    /// <summary>A batch of <paramref name="length"/> noop jobs, each waiting for the one before it.</summary>
    private static object[] Chain(int length) =>
        Enumerable.Range(0, length)
            .Select(i => (object)new { @ref = $"j{i}", type = "noop", dependsOn = i == 0 ? Array.Empty<string>() : [$"j{i - 1}"] })
            .ToArray();

    [Fact]
    public async Task AFanInOfFiveThousandParents_ReleasesItsJoinOnce()
    {
        const int Parents = 5_000;
        var jobs = Enumerable.Range(0, Parents).Select(i => (object)new { @ref = $"p{i}", type = "noop" })
            .Append(new { @ref = "join", type = "echo", dependsOn = Enumerable.Range(0, Parents).Select(i => $"p{i}").ToArray() })
            .ToArray();
        var ids = await BatchAsync(jobs);

        await Task.WhenAll(_system.StartWorkerAsync(new Dictionary<string, string?> { ["Worker__Concurrency"] = "16" }), _system.StartWorkerAsync());
        await _system.WaitUntilAsync(async () => await CountAsync("completed") == Parents + 1, Patience, "the fan-in to complete");

        Assert.Equal(1L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE job_id = $1", ids[^1]));
        Assert.Equal(1L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM job_events WHERE job_id = $1 AND from_status = 'waiting'", ids[^1]));
    }

    [Fact]
    public async Task APriorityFiveJobWaitingOnAPriorityOneParent_StartsTheParentAheadOfAPriorityThreeLoad()
    {
        // No worker runs: the bands are read as a worker would take from them.
        var load = await BatchAsync(Enumerable.Range(0, 2_000).Select(_ => (object)new { type = "noop", priority = 3 }).ToArray());
        var parent = (await _http.PostJsonAsync("/api/jobs", new { type = "noop", priority = 1 }, HttpStatusCode.Created)).Id();
        var child = await _http.PostJsonAsync("/api/jobs", new { type = "noop", priority = 5, dependsOn = new[] { parent } }, HttpStatusCode.Created);

        var boosted = await _http.GetJsonAsync($"/api/jobs/{parent}");
        Assert.Equal((1, 5), (boosted.GetProperty("priority").GetInt32(), boosted.GetProperty("effectivePriority").GetInt32()));
        Assert.Equal((1L, 2_000L, 0L), await _system.Dispatcher.BandLengthsAsync());

        // Under the default policy (starvation limit 30 s) a priority-1 job would wait behind the load.
        var taken = await _system.Dispatcher.AcquireIdsAsync(Guid.NewGuid(), 10, TimeSpan.FromSeconds(30), FairnessPolicy.Default);
        var position = taken.ToList().IndexOf(parent);
        Assert.InRange(position, 0, 1);
        Assert.DoesNotContain(child.Id(), taken);
        Assert.Equal(2_000, load.Count);
    }

    [Fact]
    public async Task ChangingAWaitingJobsPriority_MovesItsQueuedParentBackToItsOwnBand()
    {
        var parent = (await _http.PostJsonAsync("/api/jobs", new { type = "noop", priority = 1 }, HttpStatusCode.Created)).Id();
        var child = (await _http.PostJsonAsync("/api/jobs", new { type = "noop", priority = 5, dependsOn = new[] { parent } }, HttpStatusCode.Created)).Id();
        Assert.Equal((1L, 0L, 0L), await _system.Dispatcher.BandLengthsAsync());

        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/jobs/{child}") { Content = JsonContent.Create(new { priority = 1 }) };
        using var response = await _http.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await _http.GetJsonAsync($"/api/jobs/{parent}")).GetProperty("effectivePriority").GetInt32());
        Assert.Equal((0L, 0L, 1L), await _system.Dispatcher.BandLengthsAsync());
        using var invalid = new HttpRequestMessage(HttpMethod.Patch, $"/api/jobs/{child}") { Content = JsonContent.Create(new { priority = 9 }) };
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.SendAsync(invalid, Token)).StatusCode);
    }

    [Fact]
    public async Task AWorkerKilledWhileItRunsADag_LeavesNothingStuck()
    {
        await _system.StartHealthMonitorAsync(new Dictionary<string, string?>(FleetProcessTests.FastMonitor)
        {
            ["HealthMonitor__ReconcileInterval"] = "00:00:00.200",
        });
        var first = await _system.StartWorkerAsync(FleetProcessTests.FastWorker);
        // Fan-outs of sleeping jobs, each joined: a kill lands between parents finishing and joins starting.
        var jobs = new List<object>();
        for (var g = 0; g < 10; g++)
        {
            var parents = Enumerable.Range(0, 4).Select(i => $"g{g}p{i}").ToArray();
            jobs.AddRange(parents.Select(p => (object)new { @ref = p, type = "sleep", payload = new { ms = 150 } }));
            jobs.Add(new { @ref = $"g{g}join", type = "noop", dependsOn = parents });
        }

        await BatchAsync([.. jobs]);
        await _system.WaitUntilAsync(async () => await CountAsync("completed") >= 12, Patience, "some of the DAG to complete");
        first.Signal(PosixSignals.SIGKILL);
        await _system.StartWorkerAsync(FleetProcessTests.FastWorker);

        await _system.WaitUntilAsync(async () => await CountAsync("completed") == 50, Patience, "every job to complete after the kill");
        Assert.Equal(0L, await CountAsync("waiting"));
    }
}
