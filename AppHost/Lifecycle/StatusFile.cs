using System.Text.Json;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// <c>DIR/apphost.json</c>: every resource instance as Aspire reports it (parameters and hidden
/// resources aside), rewritten atomically (by rename) as it changes. After a stop, the instances
/// the AppHost stopped read <see cref="StoppedState"/>.
/// </summary>
public static class StatusFile
{
    public const string FileName = "apphost.json";

    /// <summary>The state of an instance the AppHost stopped as it shut down.</summary>
    public const string StoppedState = "Stopped";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    public static void Write(string path, StatusDocument document)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(document, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static StatusDocument? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<StatusDocument>(File.ReadAllText(path), Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Refuses a data directory that another live AppHost uses: two PostgreSQL servers cannot share
    /// a cluster, and the second would fail with a message about a lock file.
    /// </summary>
    public static void ThrowIfInUse(string dataDirectory)
    {
        if (Read(PathIn(dataDirectory)) is { } previous
            && previous.AppHostProcessId != Environment.ProcessId
            && IsAppHost(previous.AppHostProcessId))
        {
            throw new DataDirectoryInUseException(
                $"Another AppHost (process {previous.AppHostProcessId}) is running with the data directory {dataDirectory}; stop it first, or pass another --data-dir.");
        }
    }

    private static bool IsAppHost(int processId)
    {
        try
        {
            return File.ReadAllText($"/proc/{processId}/cmdline").Contains("AspireJobs.AppHost", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}

/// <summary>The whole of apphost.json.</summary>
public sealed record StatusDocument(int AppHostProcessId, DateTimeOffset UpdatedAt, string Infrastructure, IReadOnlyList<ResourceStatus> Resources);

/// <summary>
/// One resource instance: <c>name</c> is the instance's own (<c>worker-abcdefgh</c>) for a
/// resource with replicas and the resource's otherwise; <c>resource</c> is the resource's name in
/// the model; <c>state</c> and <c>health</c> are Aspire's.
/// </summary>
public sealed record ResourceStatus(
    string Name,
    string Resource,
    string Type,
    string? State,
    string? Health,
    int? ProcessId,
    IReadOnlyList<string> Endpoints,
    int Restarts,
    int? ExitCode);

/// <summary>The data directory belongs to another AppHost that is running.</summary>
public sealed class DataDirectoryInUseException(string message) : Exception(message);
