using System.Net;
using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.Api;

/// <summary>
/// A create repeated with its idempotency key after its first try committed but never reached Redis
/// (PostgreSQL or the Api failed between the commit and the push, so the client heard nothing and
/// tried again): the repeat puts the job in its band, rather than leaving it to the reconciler.
/// The first try is played by a row inserted straight into PostgreSQL, dated a few seconds back;
/// a younger job's first push may still be on its way with its ticket, and is left alone.
/// </summary>
public sealed class RepeatedCreateTests(TestServers servers) : IAsyncLifetime
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private TestSystem _system = null!;
    private HttpClient _http = null!;
    private JobStore _earlier = null!;

    public async ValueTask InitializeAsync()
    {
        _system = await TestSystem.CreateAsync(servers);
        _http = _system.Api();
        _earlier = new JobStore(_system.Database.DataSource, new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromSeconds(5)));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _system.DisposeAsync();
    }

    [Fact]
    public async Task ARepeatedSingleCreate_PushesTheJobItsFirstTryLeftOutOfRedis()
    {
        var committed = (await _earlier.JobInsertAsync(TestJobs.New(priority: 5, idempotencyKey: "order-1"), Token)).Job.Id;
        Assert.DoesNotContain(committed, await _system.Dispatcher.BandPageAsync(PriorityBand.High, 0, 100));

        var repeat = await _http.PostJsonAsync("/api/jobs", new { type = "noop", priority = 5, idempotencyKey = "order-1" }, HttpStatusCode.OK);

        Assert.Equal(committed, repeat.Id());
        Assert.Contains(committed, await _system.Dispatcher.BandPageAsync(PriorityBand.High, 0, 100));
    }

    [Fact]
    public async Task ARepeatedBatch_PushesTheJobsItsFirstTryLeftOutOfRedis_AndOnlyThoseStillQueued()
    {
        var committed = (await _earlier.JobInsertAsync(TestJobs.New(priority: 3, idempotencyKey: "order-2"), Token)).Job.Id;
        var cancelled = (await _earlier.JobInsertAsync(TestJobs.New(priority: 3, idempotencyKey: "order-3"), Token)).Job.Id;
        await _http.PostJsonAsync($"/api/jobs/{cancelled}/cancel", HttpStatusCode.OK);

        var created = await _http.PostJsonAsync("/api/jobs/batch", new
        {
            jobs = new object[] { new { type = "noop", priority = 3, idempotencyKey = "order-2" }, new { type = "noop", priority = 3, idempotencyKey = "order-3" } },
        }, HttpStatusCode.Created);

        Assert.Equal([committed, cancelled], created.GetProperty("ids").EnumerateArray().Select(id => id.GetGuid()));
        var band = await _system.Dispatcher.BandPageAsync(PriorityBand.Medium, 0, 100);
        Assert.Contains(committed, band);
        Assert.DoesNotContain(cancelled, band);
    }

    [Fact]
    public async Task ARepeatWithinATicketsLifetime_LeavesTheJobToItsFirstPush()
    {
        // Dated a minute ahead, so no slow first request could age it past the lifetime.
        var later = new JobStore(_system.Database.DataSource, new FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1)));
        var young = (await later.JobInsertAsync(TestJobs.New(idempotencyKey: "order-4"), Token)).Job.Id;

        var repeat = await _http.PostJsonAsync("/api/jobs", new { type = "noop", idempotencyKey = "order-4" }, HttpStatusCode.OK);

        Assert.Equal(young, repeat.Id());
        Assert.Equal([young], await _system.Dispatcher.FindMissingAsync([young]));
    }
}
