using AspireJobs.Core.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AspireJobs.HealthMonitor.Leadership;

/// <summary>
/// Elects one leader among the health monitor replicas: the one holding a PostgreSQL advisory
/// lock on a connection of its own. The lock dies with its connection, so when the leader's
/// process dies another replica takes it over at its next poll (every
/// <see cref="HealthMonitorOptions.LeaderPollInterval"/>). The leader checks its connection at
/// every poll and steps down the moment it is lost. Every sweep is a guarded statement, so even
/// two leaders for an instant would not corrupt anything; the election saves the work twice.
/// </summary>
public sealed partial class LeaderElection(NpgsqlDataSource db, IOptions<HealthMonitorOptions> options, ILogger<LeaderElection> logger)
    : BackgroundService
{
    private static readonly string TryLockSql = EmbeddedFile.Read(typeof(LeaderElection).Assembly, "LeaderTryLock.sql");

    internal const int KeepaliveIdleSeconds = 5;
    internal const int KeepaliveIntervalSeconds = 2;
    internal const int KeepaliveCount = 3;

    /// <summary>How long a silent leader's session lasts on the server, at most.</summary>
    internal static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(KeepaliveIdleSeconds + KeepaliveIntervalSeconds * KeepaliveCount);

    /// <summary>
    /// The lock lives as long as the server keeps the session. A leader that dies closes it, but a
    /// leader cut off by the network leaves it open for the operating system's keepalive, two hours
    /// by default, with no replica able to take over. So the server probes this session itself:
    /// after <see cref="KeepaliveIdleSeconds"/> of silence, every <see cref="KeepaliveIntervalSeconds"/>,
    /// <see cref="KeepaliveCount"/> times, and gives up on data unacknowledged for as long.
    /// </summary>
    private static readonly string KeepaliveSql = EmbeddedFile.Read(typeof(LeaderElection).Assembly, "LeaderKeepalive.sql");

    private NpgsqlConnection? _lockConnection;
    private volatile bool _isLeader;

    public bool IsLeader => _isLeader;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LeaderPollInterval);
        do
        {
            try
            {
                await (_isLeader ? KeepAsync(stoppingToken) : TryTakeAsync(stoppingToken));
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                await StepDownAsync(e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>The session the lock is taken on, for tests: null while none is open.</summary>
    internal NpgsqlConnection? LockConnection => _lockConnection;

    private async Task TryTakeAsync(CancellationToken stoppingToken)
    {
        if (_lockConnection is null)
        {
            var connection = await db.OpenConnectionAsync(stoppingToken);
            try
            {
                await using var keepalive = new NpgsqlCommand(KeepaliveSql, connection);
                foreach (var value in new[] { KeepaliveIdleSeconds, KeepaliveIntervalSeconds, KeepaliveCount, (int)LostAfter.TotalMilliseconds })
                {
                    keepalive.Parameters.Add(new NpgsqlParameter<string> { TypedValue = value.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                }

                await keepalive.ExecuteNonQueryAsync(stoppingToken);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }

            _lockConnection = connection;
        }

        await using var command = new NpgsqlCommand(TryLockSql, _lockConnection);
        if ((bool)(await command.ExecuteScalarAsync(stoppingToken))!)
        {
            _isLeader = true;
            LogElected();
        }
    }

    private async Task KeepAsync(CancellationToken stoppingToken)
    {
        await using var command = new NpgsqlCommand("SELECT 1", _lockConnection);
        await command.ExecuteScalarAsync(stoppingToken);
    }

    private async Task StepDownAsync(string reason)
    {
        if (_isLeader)
        {
            LogLost(reason);
        }

        _isLeader = false;
        if (_lockConnection is not null)
        {
            await _lockConnection.DisposeAsync();
            _lockConnection = null;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await StepDownAsync("stopping");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Elected leader: this health monitor runs the sweeps")]
    private partial void LogElected();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leadership lost ({Reason}); another replica will take over")]
    private partial void LogLost(string reason);
}
