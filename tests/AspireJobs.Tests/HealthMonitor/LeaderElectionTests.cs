using AspireJobs.HealthMonitor;
using AspireJobs.HealthMonitor.Leadership;
using AspireJobs.Tests.EndToEnd;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AspireJobs.Tests.HealthMonitor;

public sealed class LeaderElectionTests(TestServers servers) : IAsyncLifetime
{
    private TestDatabase _db = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _db = await servers.CreateDatabaseAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    /// <summary>
    /// A leader cut off by the network (no FIN, no RST) would keep the lock for the operating
    /// system's two hours of keepalive; its session has the server probe it within seconds.
    /// </summary>
    [Fact]
    public async Task TheLeadersSession_IsProbedByTheServer_SoALeaderCutOffLosesTheLockInSeconds()
    {
        // Polled once at start, then not for an hour: the session is the test's to read.
        var leader = new LeaderElection(_db.DataSource, Options.Create(new HealthMonitorOptions { LeaderPollInterval = TimeSpan.FromHours(1) }), NullLogger<LeaderElection>.Instance);
        await leader.StartAsync(Token);
        try
        {
            await AppHostEndToEndTests.WaitUntilAsync(() => leader.IsLeader, "the election", within: TimeSpan.FromSeconds(30));
            await using var settings = new NpgsqlCommand(
                "SELECT name, setting FROM pg_settings WHERE name IN ('tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count', 'tcp_user_timeout') ORDER BY name",
                leader.LockConnection);
            var read = new Dictionary<string, string>();
            await using (var reader = await settings.ExecuteReaderAsync(Token))
            {
                while (await reader.ReadAsync(Token))
                {
                    read[reader.GetString(0)] = reader.GetString(1);
                }
            }

            Assert.Equal("5", read["tcp_keepalives_idle"]);
            Assert.Equal("2", read["tcp_keepalives_interval"]);
            Assert.Equal("3", read["tcp_keepalives_count"]);
            Assert.Equal("11000", read["tcp_user_timeout"]);
            Assert.Equal(TimeSpan.FromSeconds(11), LeaderElection.LostAfter);
        }
        finally
        {
            await leader.StopAsync(CancellationToken.None);
        }
    }
}
