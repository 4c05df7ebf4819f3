using AspireJobs.AppHost.Infrastructure.LocalPostgres;

namespace AspireJobs.AppHost.Infrastructure;

/// <summary>
/// The machine's PostgreSQL and Redis programs, for the local infrastructure. A missing one is
/// reported in one line that says what it is and how to get it.
/// </summary>
public static class ServerPrograms
{
    /// <summary>Set this to the folder holding <c>initdb</c> and <c>postgres</c> to choose a PostgreSQL.</summary>
    public const string PostgresBinVariable = "ASPIREJOBS_POSTGRES_BIN";

    /// <summary>The OS user PostgreSQL runs as when the AppHost runs as root (PostgreSQL refuses root).</summary>
    public const string PostgresOsUser = "postgres";

    private static readonly Lazy<string> PostgresBinPath = new(() =>
        FindPostgresBin() ?? throw new PrerequisiteMissingException(
            Environment.GetEnvironmentVariable(PostgresBinVariable) is { Length: > 0 } configured
                ? $"{PostgresBinVariable} is {configured}, which holds no postgres program: point it at the folder with initdb and postgres."
                : $"PostgreSQL server programs (initdb, postgres) are missing: install them, e.g. apt-get install -y postgresql, or set {PostgresBinVariable} to the folder that holds them."));

    private static readonly Lazy<string> RedisServerPath = new(() =>
        FindOnPath("redis-server") ?? throw new PrerequisiteMissingException(
            "redis-server is missing: install it, e.g. sudo apt-get install -y redis-server (./run.sh does this when run as root)."));

    private static readonly Lazy<string> SetprivPath = new(() =>
        FindOnPath("setpriv") ?? throw new PrerequisiteMissingException(
            "setpriv is missing (it runs PostgreSQL as the postgres user when the AppHost runs as root): install util-linux, e.g. apt-get install -y util-linux."));

    /// <summary>The folder holding <c>initdb</c> and <c>postgres</c>.</summary>
    public static string PostgresBin => PostgresBinPath.Value;

    public static string RedisServer => RedisServerPath.Value;

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// How to start a PostgreSQL program: as is, or (when root) through <c>setpriv</c>, which
    /// switches to the postgres user and then execs the program in its place, so the process id
    /// is the program's and signals reach it directly. For a cluster that exists, the programs of
    /// the major version that made it (<paramref name="clusterVersion"/>, its <c>PG_VERSION</c>):
    /// a newer server refuses an older cluster's files.
    /// </summary>
    public static (string Command, IReadOnlyList<string> Prefix) PostgresProgram(string program, string? clusterVersion = null, string? clusterDirectory = null) =>
        AsPostgresUser(Path.Combine(PostgresBinFor(clusterVersion, clusterDirectory), program));

    private static string PostgresBinFor(string? clusterVersion, string? clusterDirectory)
    {
        if (clusterVersion is null)
        {
            return PostgresBin; // a new cluster
        }

        var installed = DebianInstalled();
        if (Environment.GetEnvironmentVariable(PostgresBinVariable) is { Length: > 0 } || installed.Count == 0)
        {
            // The programs the user chose, or the one set found on the PATH.
            return MatchingCluster(PostgresBin, clusterVersion, clusterDirectory);
        }

        return DebianBinFor(installed, clusterVersion) ?? throw new PrerequisiteMissingException(
            $"The PostgreSQL cluster in {clusterDirectory} was made by PostgreSQL {clusterVersion}, whose server programs are not installed " +
            $"(found {string.Join(", ", installed.Select(x => x.Version))}): install them, e.g. apt-get install -y postgresql-{clusterVersion}, " +
            $"set {PostgresBinVariable} to them, or start on a new --data-dir.");
    }

    /// <summary>
    /// <paramref name="bin"/>, if its programs are of the major version that made the cluster (or
    /// say no version): a server of another major version refuses the cluster's files, exits, and
    /// would be restarted for ever.
    /// </summary>
    public static string MatchingCluster(string bin, string clusterVersion, string? clusterDirectory)
    {
        var cluster = clusterVersion.Trim();
        var programs = PostgresVersion.MajorOf(ProgramRun.OutputOrNull(Path.Combine(bin, "postgres"), ["--version"]));
        return programs is null || programs == cluster ? bin : throw new PrerequisiteMissingException(
            $"The PostgreSQL cluster in {clusterDirectory} was made by PostgreSQL {cluster}, but the server programs in {bin} are PostgreSQL {programs}: " +
            $"set {PostgresBinVariable} to PostgreSQL {cluster}'s, or start on a new --data-dir.");
    }

    /// <summary>
    /// Of the server programs installed by major version, those of <paramref name="clusterVersion"/>
    /// (null when not installed), or the newest when no cluster exists yet.
    /// </summary>
    public static string? DebianBinFor(IReadOnlyList<(int Version, string Bin)> installed, string? clusterVersion) =>
        clusterVersion is null
            ? installed.MaxBy(x => x.Version).Bin
            : installed.FirstOrDefault(x => x.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) == clusterVersion.Trim()).Bin;

    /// <summary>Debian and Ubuntu keep each major version's server programs off the PATH, in a folder of their own.</summary>
    private static IReadOnlyList<(int Version, string Bin)> DebianInstalled()
    {
        const string Debian = "/usr/lib/postgresql";
        return Directory.Exists(Debian)
            ? [.. Directory.GetDirectories(Debian)
                .Select(dir => (Version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1, Bin: Path.Combine(dir, "bin")))
                .Where(x => x.Version > 0 && File.Exists(Path.Combine(x.Bin, "postgres")))]
            : [];
    }

    /// <summary>Any program, run as the PostgreSQL programs are.</summary>
    public static (string Command, IReadOnlyList<string> Prefix) AsPostgresUser(string path) =>
        IsRoot
            ? (SetprivPath.Value, [$"--reuid={PostgresOsUser}", $"--regid={PostgresOsUser}", "--init-groups", "--", path])
            : (path, []);

    private static string? FindPostgresBin()
    {
        if (Environment.GetEnvironmentVariable(PostgresBinVariable) is { Length: > 0 } configured)
        {
            return File.Exists(Path.Combine(configured, "postgres")) ? configured : null;
        }

        if (DebianInstalled() is { Count: > 0 } installed)
        {
            return DebianBinFor(installed, clusterVersion: null);
        }

        return FindOnPath("postgres") is { } postgres && File.Exists(Path.Combine(Path.GetDirectoryName(postgres)!, "initdb"))
            ? Path.GetDirectoryName(postgres)
            : null;
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}

/// <summary>A program the AppHost needs is not installed. The message is one line: what, and how to get it.</summary>
public sealed class PrerequisiteMissingException(string message) : Exception(message);
