namespace AspireJobs.AppHost.Infrastructure.LocalRedis;

/// <summary>
/// The configuration file a local <c>redis-server</c> starts from: loopback only, the password
/// (so the file is 0600, and the password is never on a command line), and append-only
/// persistence in the server's directory, fsync'd every second, like Aspire's <c>WithPersistence</c>.
/// </summary>
public static class RedisServerConfig
{
    public const string FileName = "redis.conf";

    /// <summary>The server's password, generated into <c>password</c> in its directory on first use.</summary>
    public static string ReadOrCreatePassword(string directory) => GeneratedSecret.ReadOrCreate(Path.Combine(directory, "password"));

    /// <summary>Writes the file into <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory, string password)
    {
        // The append-only file holds every queued job's id and lease: for the owner only (the
        // directory may exist already, made by the password's first write).
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Combine(directory, FileName);
        PrivateFile.Write(path, string.Join('\n',
            "bind 127.0.0.1",
            "protected-mode yes",
            $"requirepass {password}",
            $"dir {Quoted(directory)}",
            "daemonize no",
            "appendonly yes",
            "appendfsync everysec",
            "save \"\"",
            ""));
        return path;
    }

    /// <summary>A value in redis.conf's quoting, so a path with spaces stays one argument.</summary>
    private static string Quoted(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>The connection string Aspire's Redis resource gives: <c>host:port,password=...</c>.</summary>
    public static string ConnectionString(int port, string password) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"127.0.0.1:{port},password={password}");
}
