using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Infrastructure.LocalPostgres;
using Npgsql;

namespace AspireJobs.LocalProcesses;

/// <summary>
/// A PostgreSQL server of the machine's programs that a test run or the benchmark owns: the
/// AppHost's <see cref="PostgresCluster"/> on a free loopback port, started and stopped by
/// process id, without an orchestrator in between.
/// </summary>
public sealed class PostgresProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ManagedProcess _process;

    private PostgresProcess(PostgresCluster cluster, int port, string password, ManagedProcess process)
    {
        Cluster = cluster;
        Port = port;
        Password = password;
        _process = process;
    }

    public PostgresCluster Cluster { get; }

    public int Port { get; }

    public string Password { get; }

    public int ProcessId => _process.Id;

    /// <param name="settings">Server settings, each passed as <c>-c name=value</c>.</param>
    public static async Task<PostgresProcess> StartAsync(string directory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var cluster = new PostgresCluster(directory);
        await cluster.InitializeAsync(CancellationToken.None);
        var port = FreePort.Next();
        var (command, runAs) = cluster.ServerProgram();
        var arguments = runAs.Concat(cluster.ServerArguments(port, settings).Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture)!));
        var process = ManagedProcess.Start(new ProcessSpec(command, [.. arguments], cluster.Directory, new Dictionary<string, string?>()), _ => { });
        var server = new PostgresProcess(cluster, port, cluster.ReadOrCreatePassword(), process);
        await server.WaitUntilReadyAsync();
        return server;
    }

    /// <summary>The connection string of a database on this server.</summary>
    public string ConnectionString(string database) => PostgresCluster.ConnectionString(Port, Password, database);

    public Task CreateDatabaseAsync(string name, string? template = null) =>
        PostgresCluster.CreateDatabaseAsync(ConnectionString("postgres"), name, template, CancellationToken.None);

    /// <summary>Drops a database if it exists, closing its connections.</summary>
    public async Task DropDatabaseAsync(string name)
    {
        await using var admin = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await admin.OpenAsync();
        // A name is an identifier, which no parameter can carry: quoted, never pasted.
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {new NpgsqlCommandBuilder().QuoteIdentifier(name)} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the server at once (SIGKILL), for a process that is about to exit.</summary>
    public void Kill() => _process.Signal(PosixSignals.SIGKILL);

    // SIGINT is PostgreSQL's fast shutdown: it rolls back open transactions and checkpoints.
    public async ValueTask DisposeAsync() => await _process.StopAsync(PosixSignals.SIGINT, TimeSpan.FromSeconds(30));

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Timeout=2;Pooling=false");
                await connection.OpenAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !_process.Exited.IsCompleted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                throw new InvalidOperationException(
                    _process.Exited.IsCompleted ? $"PostgreSQL exited with code {_process.Exited.Result} while starting." : $"PostgreSQL did not start within {StartTimeout.TotalSeconds} s.", e);
            }
        }
    }
}
