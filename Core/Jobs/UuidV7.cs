namespace AspireJobs.Core.Jobs;

/// <summary>Job ids are UUIDv7: their first 48 bits are the creation time in Unix milliseconds.</summary>
public static class UuidV7
{
    /// <summary>The smallest UUIDv7 of the millisecond of <paramref name="time"/>: every id created before it sorts lower.</summary>
    public static Guid FirstAt(DateTimeOffset time)
    {
        var milliseconds = time.ToUnixTimeMilliseconds();
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(milliseconds >> (8 * (5 - i)));
        }

        bytes[6] = 0x70; // version 7
        bytes[8] = 0x80; // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }
}
