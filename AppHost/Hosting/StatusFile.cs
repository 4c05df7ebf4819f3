using System.Text.Json;
using System.Text.Json.Serialization;

namespace AspireJobs.AppHost.Hosting;

/// <summary>
/// <c>DIR/apphost.json</c>: every resource instance with its name, state, process id, endpoints
/// and restart count, rewritten (atomically, by rename) on every change. It is also how the next
/// AppHost finds processes a killed one left behind.
/// </summary>
public sealed class StatusFile(string path)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly Lock _lock = new();

    public string Path { get; } = path;

    public void Write(IReadOnlyList<ResourceSnapshot> resources)
    {
        var document = new StatusDocument(Environment.ProcessId, DateTime.UtcNow, resources);
        lock (_lock)
        {
            var temporary = Path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(document, Json));
            File.Move(temporary, Path, overwrite: true);
        }
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
}

public sealed record StatusDocument(int AppHostProcessId, DateTime UpdatedAt, IReadOnlyList<ResourceSnapshot> Resources);
