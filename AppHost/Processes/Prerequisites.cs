namespace AspireJobs.AppHost.Processes;

/// <summary>
/// Finds the programs the AppHost runs. A missing one is reported in one line that says what
/// it is and how to get it.
/// </summary>
public static class Prerequisites
{
    private static readonly Lazy<string> SetsidPath = new(() =>
        FindOnPath("setsid") ?? throw new PrerequisiteMissingException(
            "setsid is missing (it keeps Ctrl+C from reaching child processes): install util-linux, e.g. apt-get install -y util-linux."));

    private static readonly Lazy<string> PostgresBinPath = new(() =>
        FindPostgresBin() ?? throw new PrerequisiteMissingException(
            "PostgreSQL server programs (initdb, postgres) are missing: install them, e.g. apt-get install -y postgresql, or set ASPIREJOBS_POSTGRES_BIN to the folder that holds them."));

    private static readonly Lazy<string> RedisServerPath = new(() =>
        FindOnPath("redis-server") ?? throw new PrerequisiteMissingException(
            "redis-server is missing: install it, e.g. sudo apt-get install -y redis-server (./run.sh does this when run as root)."));

    public static string Setsid => SetsidPath.Value;

    /// <summary>The folder holding initdb and postgres.</summary>
    public static string PostgresBin => PostgresBinPath.Value;

    public static string RedisServer => RedisServerPath.Value;

    /// <summary>Checks every program at once, so the first run names what is missing before starting anything.</summary>
    public static void Check()
    {
        _ = Setsid;
        _ = PostgresBin;
        _ = RedisServer;
    }

    private static string? FindPostgresBin()
    {
        if (Environment.GetEnvironmentVariable("ASPIREJOBS_POSTGRES_BIN") is { Length: > 0 } configured)
        {
            return File.Exists(Path.Combine(configured, "postgres")) ? configured : null;
        }

        // Debian and Ubuntu keep each major version's server programs off the PATH.
        const string Debian = "/usr/lib/postgresql";
        if (Directory.Exists(Debian))
        {
            var newest = Directory.GetDirectories(Debian)
                .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1))
                .Where(x => x.version > 0 && File.Exists(Path.Combine(x.dir, "bin", "postgres")))
                .OrderByDescending(x => x.version)
                .Select(x => Path.Combine(x.dir, "bin"))
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
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
