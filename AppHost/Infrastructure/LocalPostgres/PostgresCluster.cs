using System.Globalization;
using Npgsql;

namespace AspireJobs.AppHost.Infrastructure.LocalPostgres;

/// <summary>
/// A PostgreSQL cluster of the machine's own programs in one directory: the generated password
/// of the user <c>postgres</c> (<c>password</c>, mode 0600) and the data (<c>data/</c>, created
/// once by <c>initdb</c> with SCRAM authentication, in <c>data.initdb/</c> until it is whole).
/// PostgreSQL refuses to run as root, so when we are root the directory belongs to the postgres
/// OS user, which runs the programs.
/// </summary>
public sealed class PostgresCluster(string directory)
{
    public const string UserName = "postgres";

    public string Directory { get; } = Path.GetFullPath(directory);

    public string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>
    /// How to start the server of this cluster (see <see cref="ServerPrograms.PostgresProgram"/>):
    /// the programs of the major version that made it, once it exists.
    /// </summary>
    public (string Command, IReadOnlyList<string> Prefix) ServerProgram() =>
        ServerPrograms.PostgresProgram("postgres", File.Exists(VersionFile) ? File.ReadAllText(VersionFile).Trim() : null, DataDirectory);

    private string VersionFile => Path.Combine(DataDirectory, "PG_VERSION");

    private string PasswordFile => Path.Combine(Directory, "password");

    public string ReadOrCreatePassword() => GeneratedSecret.ReadOrCreate(PasswordFile);

    /// <summary>
    /// Fails at once, naming the directory, when we are root and the postgres user cannot pass
    /// through to it (a parent closed to others, such as /root). Found later, by initdb under the
    /// orchestrator, the failure left the AppHost waiting with nothing said.
    /// </summary>
    public void ThrowIfUnreachableByServer()
    {
        if (!ServerPrograms.IsRoot)
        {
            return;
        }

        var user = ServerPrograms.PostgresOsUser;
        if (!ProgramRun.Succeeds("id", ["-u", user]))
        {
            throw new PrerequisiteMissingException(
                $"there is no {user} user: PostgreSQL refuses to run as root, so the AppHost runs it as {user}; create it (useradd --system {user}) or start the AppHost as another user");
        }

        System.IO.Directory.CreateDirectory(Directory);
        var (test, runAs) = ServerPrograms.AsPostgresUser("/usr/bin/test");
        if (!ProgramRun.Succeeds(test, [.. runAs, "-x", Directory]))
        {
            throw new DataDirectoryUnreachableException(
                $"the {user} user cannot reach {Directory} (PostgreSQL refuses to run as root, so it runs as {user}, and a parent directory is closed to it); choose a data directory it can reach, e.g. --data-dir /tmp/aspirejobs");
        }
    }

    /// <summary>Creates the cluster unless it exists. The password file must hold the password given.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(VersionFile))
        {
            return;
        }

        System.IO.Directory.CreateDirectory(Directory);
        ReadOrCreatePassword();

        // Once, before initdb: walking a grown cluster on every start would cost seconds.
        if (ServerPrograms.IsRoot)
        {
            var user = ServerPrograms.PostgresOsUser;
            await ProgramRun.RunAsync("chown", ["-R", $"{user}:{user}", Directory], "chown", cancellationToken);
            var (test, runAs) = ServerPrograms.AsPostgresUser("/usr/bin/test");
            await ProgramRun.RunAsync(test, [.. runAs, "-w", Directory],
                $"the {user} user cannot write to {Directory} (PostgreSQL refuses to run as root, so it runs as {user}); choose a data directory it can reach, e.g. --data-dir /tmp/aspirejobs",
                cancellationToken);
        }

        // initdb writes PG_VERSION among its first files, so a run stopped halfway (Ctrl+C during
        // a first start) would leave a cluster that looks made and never starts. It makes the
        // cluster beside its place, which it takes whole once done; a half-made one is started over.
        if (System.IO.Directory.Exists(StagingDirectory))
        {
            System.IO.Directory.Delete(StagingDirectory, recursive: true);
        }

        var (initdb, prefix) = ServerPrograms.PostgresProgram("initdb");
        await ProgramRun.RunAsync(initdb,
            [.. prefix, "-D", StagingDirectory, "-U", UserName, "--pwfile", PasswordFile,
             "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-instructions"],
            "initdb", cancellationToken);
        System.IO.Directory.Move(StagingDirectory, DataDirectory);
    }

    /// <summary>Where initdb makes the cluster, moved to <see cref="DataDirectory"/> once it is whole.</summary>
    private string StagingDirectory => DataDirectory + ".initdb";

    /// <summary>The server's arguments: loopback only, no Unix socket, plus any extra settings (<c>-c name=value</c>).</summary>
    public IEnumerable<object> ServerArguments(object port, IReadOnlyDictionary<string, string>? settings = null)
    {
        yield return "-D";
        yield return DataDirectory;
        yield return "-p";
        yield return port;
        yield return "-c";
        yield return "listen_addresses=127.0.0.1";
        yield return "-c";
        yield return "unix_socket_directories=";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            yield return "-c";
            yield return $"{name}={value}";
        }
    }

    public static string ConnectionString(int port, string password, string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = UserName,
            Password = password,
            Database = database,
        }.ConnectionString;

    /// <summary>
    /// Creates a database unless it exists, as Aspire's PostgreSQL integration does when its server
    /// is ready (error 42P04, "already exists", is ignored).
    /// </summary>
    public static async Task CreateDatabaseAsync(string serverConnectionString, string database, string? template, CancellationToken cancellationToken)
    {
        var admin = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var quote = new NpgsqlCommandBuilder();
        var sql = string.Create(CultureInfo.InvariantCulture, $"CREATE DATABASE {quote.QuoteIdentifier(database)}")
            + (template is null ? "" : $" TEMPLATE {quote.QuoteIdentifier(template)}");
        await using var command = new NpgsqlCommand(sql, connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Already there: a restart over the same data directory.
        }
    }
}
