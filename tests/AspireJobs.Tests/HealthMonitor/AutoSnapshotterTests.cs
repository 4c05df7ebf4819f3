using AspireJobs.Core.Snapshots;
using AspireJobs.HealthMonitor;
using AspireJobs.HealthMonitor.Leadership;
using AspireJobs.HealthMonitor.Maintenance;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.HealthMonitor;

/// <summary>The automatic snapshot schedule and its retention, on real PostgreSQL, with a clock the test moves.</summary>
public sealed class AutoSnapshotterTests(TestServers servers) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestSystem _system = null!;
    private SnapshotStore _snapshots = null!;
    private AutoSnapshotter _snapshotter = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _system = await TestSystem.CreateAsync(servers);
        var options = Options.Create(new HealthMonitorOptions
        {
            SnapshotInterval = TimeSpan.FromHours(1), FullSnapshotInterval = TimeSpan.FromHours(6), SnapshotRetention = TimeSpan.FromDays(1),
        });
        _snapshots = new SnapshotStore(_system.Database.DataSource, _clock);
        _snapshotter = new AutoSnapshotter(_snapshots, _clock, options,
            new LeaderElection(_system.Database.DataSource, options, NullLogger<LeaderElection>.Instance), NullLogger<AutoSnapshotter>.Instance);
    }

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task Passes_TakeAFullSnapshot_ThenIncrementalOnes_ThenAFullOneAgain_AndRetentionDropsOldChains()
    {
        await _system.Store.JobInsertBatchAsync([TestJobs.New(), TestJobs.New()], Token);

        var kinds = new List<(SnapshotKind Kind, SnapshotReason Reason)>();
        for (var hour = 0; hour < 8; hour++)
        {
            await _snapshotter.RunPassAsync(Token);
            var latest = (await _snapshots.LatestAsync(Token))!;
            kinds.Add((latest.Kind, latest.Reason));
            _clock.Advance(TimeSpan.FromHours(1));
        }

        Assert.All(kinds, k => Assert.Equal(SnapshotReason.Automatic, k.Reason));
        Assert.Equal(
            [SnapshotKind.Full, .. Enumerable.Repeat(SnapshotKind.Incremental, 5), SnapshotKind.Full, SnapshotKind.Incremental],
            kinds.Select(k => k.Kind));
        Assert.Equal(2, (await _snapshots.LatestAsync(Token, SnapshotKind.Full))!.JobCount);

        _clock.Advance(TimeSpan.FromDays(1));
        await _snapshotter.RunPassAsync(Token);

        // Everything older than a day went, the chains built on them with it; the new full one stays.
        var left = await _snapshots.ListAsync(null, 100, Token);
        Assert.Equal(SnapshotKind.Full, Assert.Single(left).Kind);
    }

    [Fact]
    public async Task Retention_KeepsTheAutomaticSnapshotsAManualOneIsBuiltOn()
    {
        await _system.Store.JobInsertBatchAsync([TestJobs.New()], Token);
        await _snapshotter.RunPassAsync(Token);
        _clock.Advance(TimeSpan.FromHours(1));
        await _snapshotter.RunPassAsync(Token);
        var manual = await _snapshots.TakeAsync(SnapshotKind.Incremental, SnapshotReason.Manual, "keep", Token);
        var chain = await _snapshots.ListAsync(null, 100, Token);
        Assert.Equal(3, chain.Count);

        _clock.Advance(TimeSpan.FromDays(2));
        await _snapshotter.RunPassAsync(Token);

        // The manual snapshot and the chain under it stay (a base's deletion takes what is built on
        // it), beside the pass's new full one.
        var left = await _snapshots.ListAsync(null, 100, Token);
        Assert.Equal(4, left.Count);
        Assert.Contains(left, s => s.Id == manual.Id);
    }

    [Fact]
    public async Task Retention_ShorterThanTheTimeBetweenFullSnapshots_KeepsTheChainUnderTheSnapshotsItKeeps()
    {
        var options = Options.Create(new HealthMonitorOptions
        {
            SnapshotInterval = TimeSpan.FromHours(1), FullSnapshotInterval = TimeSpan.FromHours(6), SnapshotRetention = TimeSpan.FromHours(3),
        });
        var snapshotter = new AutoSnapshotter(_snapshots, _clock, options,
            new LeaderElection(_system.Database.DataSource, options, NullLogger<LeaderElection>.Instance), NullLogger<AutoSnapshotter>.Instance);
        await _system.Store.JobInsertBatchAsync([TestJobs.New()], Token);

        for (var hour = 0; hour < 5; hour++)
        {
            await snapshotter.RunPassAsync(Token);
            _clock.Advance(TimeSpan.FromHours(1));
        }

        // The full snapshot of hour 0 is past retention, but the four incremental ones since,
        // all inside it, are built on it: deleting it would take them all.
        var left = await _snapshots.ListAsync(null, 100, Token);
        Assert.Equal(5, left.Count);
        Assert.Equal(SnapshotKind.Full, Assert.Single(left, s => s.BaseId is null).Kind);

        // Once a new full snapshot is taken and the old chain is past retention, it goes.
        _clock.Advance(TimeSpan.FromHours(4));
        await snapshotter.RunPassAsync(Token);
        Assert.Equal(SnapshotKind.Full, Assert.Single(await _snapshots.ListAsync(null, 100, Token)).Kind);
    }

    [Fact]
    public async Task APass_WhileTheNewestSnapshotIsYoungerThanTheInterval_TakesNone()
    {
        await _snapshotter.RunPassAsync(Token);
        _clock.Advance(TimeSpan.FromMinutes(59));

        await _snapshotter.RunPassAsync(Token); // a restarted monitor's first pass

        Assert.Single(await _snapshots.ListAsync(null, 100, Token));
    }

    [Fact]
    public async Task EventRetention_MovesTheHorizonThatPointInTimeRecoveryReaches()
    {
        await _system.Store.JobInsertBatchAsync([TestJobs.New()], Token);
        Assert.Equal(0, await _system.Store.JobEventDeleteBeforeAsync(DateTimeOffset.UtcNow.AddDays(-1), 100, Token));
        Assert.Equal(DateTime.MinValue, await _system.Database.ScalarAsync<DateTime>("SELECT kept_since FROM job_event_horizon"));

        var cutoff = DateTimeOffset.UtcNow.AddMinutes(1);
        Assert.Equal(1, await _system.Store.JobEventDeleteBeforeAsync(cutoff, 100, Token));

        Assert.Equal(cutoff.UtcDateTime, await _system.Database.ScalarAsync<DateTime>("SELECT kept_since FROM job_event_horizon"), TimeSpan.FromMilliseconds(1));
    }
}
