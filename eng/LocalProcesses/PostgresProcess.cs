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

    public async Task CreateDatabaseAsync(string name, string? template = null)
    {
        await PostgresCluster.CreateDatabaseAsync(ConnectionString("postgres"), name, template, CancellationToken.None);
        if (template is not null)
        {
            await CopySettingsAsync(template, name);
        }
    }

    /// <summary>
    /// Gives <paramref name="copy"/> the settings made on <paramref name="template"/> (ALTER DATABASE
    /// ... SET, as migration 0016's jit = off), which a copy made from a template does not take.
    /// </summary>
    private async Task CopySettingsAsync(string template, string copy)
    {
        await using var admin = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await admin.OpenAsync();
        var settings = new List<string>();
        await using (var read = new NpgsqlCommand(
            "SELECT unnest(s.setconfig) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = $1 AND s.setrole = 0", admin))
        {
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = template });
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                settings.Add(reader.GetString(0));
            }
        }

        var quote = new NpgsqlCommandBuilder();
        foreach (var setting in settings)
        {
            // A name is an identifier and a value a literal, which no parameter can carry: quoted, never pasted.
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = (setting[..equals], setting[(equals + 1)..]);
            await using var alter = new NpgsqlCommand(
                $"ALTER DATABASE {quote.QuoteIdentifier(copy)} SET {quote.QuoteIdentifier(key)} = '{value.Replace("'", "''", StringComparison.Ordinal)}'", admin);
            await alter.ExecuteNonQueryAsync();
        }
    }

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
