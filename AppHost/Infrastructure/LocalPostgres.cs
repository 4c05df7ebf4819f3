using AspireJobs.AppHost.Processes;
using Npgsql;

namespace AspireJobs.AppHost.Infrastructure;

/// <summary>
/// A PostgreSQL server run from the machine's own programs: <c>initdb</c> once into
/// <c>&lt;directory&gt;/data</c>, then <c>postgres</c> on a loopback port with password
/// authentication (SCRAM) for the user <c>postgres</c>, the password generated into a 0600
/// file. PostgreSQL refuses to run as root, so when we are root it runs as the <c>postgres</c>
/// OS user, which then owns the directory.
/// </summary>
public sealed class LocalPostgres(string directory, int port, IReadOnlyDictionary<string, string>? settings = null)
{
    public const string UserName = "postgres";
    private const string OsUser = "postgres";

    public string Directory { get; } = Path.GetFullPath(directory);

    public int Port { get; } = port;

    public string DataDirectory => Path.Combine(Directory, "data");

    public string Password { get; private set; } = "";

    private static string? RunAs => PosixSignals.IsRoot ? OsUser : null;

    /// <summary>Creates the directory, the password and (once) the database cluster.</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var passwordFile = Path.Combine(Directory, "password");
        Password = SecretFile.ReadOrCreate(passwordFile);

        if (RunAs is { } user)
        {
            await RunAsync(new ProcessSpec("chown", ["-R", $"{user}:{user}", Directory], Directory, Empty), "chown", cancellationToken);
            await RunAsync(new ProcessSpec("test", ["-w", Directory], "/", Empty, user),
                $"the {user} user cannot write to {Directory} (PostgreSQL refuses to run as root, so it runs as {user}); choose a data directory it can reach, e.g. --data-dir /tmp/aspirejobs",
                cancellationToken);
        }

        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            await RunAsync(new ProcessSpec(
                Path.Combine(Prerequisites.PostgresBin, "initdb"),
                ["-D", DataDirectory, "-U", UserName, "--pwfile", passwordFile, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-instructions"],
                Directory, Empty, RunAs), "initdb", cancellationToken);
        }
    }

    /// <summary>The server process: loopback only, no Unix socket, plus any extra settings.</summary>
    public ProcessSpec ServerProcess()
    {
        var arguments = new List<string>
        {
            "-D", DataDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            arguments.Add("-c");
            arguments.Add($"{name}={value}");
        }

        return new ProcessSpec(Path.Combine(Prerequisites.PostgresBin, "postgres"), arguments, Directory, Empty, RunAs);
    }

    /// <summary>The connection string Aspire's Postgres resource gives a database.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = UserName,
            Password = Password,
            Database = database,
        }.ConnectionString;

    /// <summary>Whether the server accepts an authenticated connection.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Timeout=2;Pooling=false");
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Creates a database unless it exists, as Aspire's AddDatabase does (42P04 ignored).</summary>
    public async Task CreateDatabaseIfMissingAsync(string name, string? template, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        var quoted = new NpgsqlCommandBuilder().QuoteIdentifier(name);
        var sql = template is null ? $"CREATE DATABASE {quoted}" : $"CREATE DATABASE {quoted} TEMPLATE {new NpgsqlCommandBuilder().QuoteIdentifier(template)}";
        await using var command = new NpgsqlCommand(sql, connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Already there: a restart of the AppHost over the same data directory.
        }
    }

    private static readonly IReadOnlyDictionary<string, string?> Empty = new Dictionary<string, string?>();

    private static async Task RunAsync(ProcessSpec spec, string what, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await ManagedProcess.RunToEndAsync(spec, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"PostgreSQL setup failed: {what} (exit code {exitCode}). {output.Trim()}");
        }
    }
}
