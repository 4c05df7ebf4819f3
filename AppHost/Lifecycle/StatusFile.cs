using System.Text.Json;
using AspireJobs.AppHost.Infrastructure;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// <c>DIR/apphost.json</c>: every resource instance as Aspire reports it (parameters, the
/// dashboard and hidden resources aside), rewritten atomically (by rename) as it changes, readable
/// by its owner only. After a stop, the instances the orchestrator stopped last read
/// <see cref="StoppedState"/>.
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
        PrivateFile.Write(path, JsonSerializer.Serialize(document, Json));
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
    /// The process id of the AppHost that the directory's file names, if it is a live AppHost
    /// other than this one (a file left by a run that ended names a process that is gone).
    /// </summary>
    public static int? RunningAppHost(string dataDirectory) =>
        Read(PathIn(dataDirectory)) is { } previous
            && previous.AppHostProcessId != Environment.ProcessId
            && IsAppHost(previous.AppHostProcessId)
            ? previous.AppHostProcessId
            : null;

    private static bool IsAppHost(int processId)
    {
        try
        {
            return File.ReadAllText($"/proc/{processId}/cmdline").Contains("AspireJobs.AppHost", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
