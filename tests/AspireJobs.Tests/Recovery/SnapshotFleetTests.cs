using System.Globalization;
using System.Text.Json;
using AspireJobs.Core.Snapshots;
using AspireJobs.Core.Workers;
using AspireJobs.Tests.Infrastructure;
using Npgsql;

namespace AspireJobs.Tests.Recovery;

/// <summary>The workers a snapshot records, on real PostgreSQL.</summary>
public sealed class SnapshotFleetTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task AWorkersHeartbeat_IsRecordedInUtc_WhateverTheSessionsTimeZone()
    {
        var worker = Guid.NewGuid();
        await new WorkerStore(_system.Database.DataSource, TimeProvider.System).WorkerInsertAsync(new WorkerRegistration(worker, "w1", "h", 1, "1", ["noop"], 4), Token);
        var heartbeat = await _system.Database.ScalarAsync<DateTime>("SELECT last_heartbeat_at FROM workers WHERE id = $1", worker);
        // A server, or a connection string, in another zone than UTC.
        await using var elsewhere = NpgsqlDataSource.Create(_system.Database.ConnectionString + ";Timezone=America/New_York");

        var snapshot = await new SnapshotStore(elsewhere, TimeProvider.System).TakeAsync(SnapshotKind.Full, SnapshotReason.Manual, null, Token);

        var recorded = JsonDocument.Parse(snapshot.Fleet).RootElement.EnumerateArray().Single().GetProperty("lastHeartbeatAt").GetString()!;
        Assert.EndsWith("Z", recorded, StringComparison.Ordinal);
        Assert.Equal(heartbeat, DateTime.Parse(recorded, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
    }
}
