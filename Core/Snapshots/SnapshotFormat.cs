using System.IO.Compression;
using System.Text.Json;
using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Snapshots;

/// <summary>
/// The record format of a snapshot's chunks, version 1: each chunk is one gzip member holding one
/// JSON object per line, with short property names. Chunks are written and read one at a time,
/// so neither a snapshot nor a restore ever holds more than one chunk. A reader refuses a version
/// it does not know instead of guessing.
/// </summary>
public static class SnapshotFormat
{
    public const short Version = 1;

    /// <summary>Records per chunk: about 0.5 MB of JSON before compression.</summary>
    public const int ChunkRecords = 2_000;

    public static byte[] Encode(IReadOnlyList<SnapshotRecord> records)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            using var json = new Utf8JsonWriter(gzip);
            foreach (var record in records)
            {
                Write(json, record);
                json.Flush();
                gzip.WriteByte((byte)'\n');
                json.Reset();
            }
        }

        return buffer.ToArray();
    }

    public static IReadOnlyList<SnapshotRecord> Decode(short format, byte[] chunk)
    {
        if (format != Version)
        {
            throw new NotSupportedException($"Snapshot format {format} is not one this version reads (it reads {Version}).");
        }

        using var gzip = new GZipStream(new MemoryStream(chunk), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var records = new List<SnapshotRecord>();
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            records.Add(Read(line));
        }

        return records;
    }

    private static void Write(Utf8JsonWriter json, SnapshotRecord record)
    {
        json.WriteStartObject();
        json.WriteString("id", record.Id);
        json.WriteString("t", record.Type);
        json.WriteString("s", JobStatusText.Of(record.Status));
        json.WriteNumber("p", record.Priority);
        json.WriteNumber("ep", record.EffectivePriority);
        json.WriteNumber("a", record.Attempts);
        json.WriteNumber("f", record.Failures);
        json.WriteNumber("c", record.Crashes);
        json.WriteNumber("mr", record.MaxRetries);
        json.WriteNumber("at", (record.RunAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond);
        if (record.DependsOn.Count > 0)
        {
            json.WriteStartArray("d");
            foreach (var parent in record.DependsOn)
            {
                json.WriteStringValue(parent);
            }

            json.WriteEndArray();
        }

        if (record.Deleted)
        {
            json.WriteBoolean("x", true);
        }

        json.WriteEndObject();
    }

    private static SnapshotRecord Read(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var status = JobStatusText.Parse(root.GetProperty("s").GetString()!);
        var micros = root.GetProperty("at").GetInt64();
        var dependsOn = root.TryGetProperty("d", out var parents)
            ? parents.EnumerateArray().Select(parent => parent.GetGuid()).ToList()
            : [];
        return new SnapshotRecord(
            root.GetProperty("id").GetGuid(),
            root.GetProperty("t").GetString()!,
            status,
            root.GetProperty("p").GetInt32(),
            root.GetProperty("ep").GetInt32(),
            root.GetProperty("a").GetInt32(),
            root.GetProperty("f").GetInt32(),
            root.GetProperty("c").GetInt32(),
            root.GetProperty("mr").GetInt32(),
            DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond),
            dependsOn,
            root.TryGetProperty("x", out var deleted) && deleted.GetBoolean());
    }
}
