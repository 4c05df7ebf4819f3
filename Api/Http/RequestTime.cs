using System.Globalization;
using System.Text.Json;

namespace AspireJobs.Api.Http;

/// <summary>
/// A time a request gives as a JSON string: ISO-8601, with its offset, or without one and then
/// read as UTC, the offset of every time the Api answers with. Never as the server's local time,
/// which would move it by the server's zone. Only ISO-8601 as System.Text.Json reads it (and RFC
/// 3339's space between date and time, and its lower-case t and z): .NET's lenient parse also
/// took "01/02/2030" (a day and a month, in some order), an HTTP date, or "10:00" (today at ten,
/// perhaps already past), and a misread time schedules a job, or picks a restore point, without
/// a word.
/// </summary>
public static class RequestTime
{
    public static bool TryRead(JsonElement element, out DateTimeOffset time)
    {
        time = default;
        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var text = element.GetString()!;
        var iso = element.TryGetDateTime(out _);
        if (!iso)
        {
            // RFC 3339's relaxations: a space for the T, and t and z in lower case (no character
            // an ISO time may hold changes in upper case but those).
            text = text.ToUpperInvariant();
            if (text.Length > 10 && text[10] == ' ')
            {
                text = string.Concat(text.AsSpan(0, 10), "T", text.AsSpan(11));
            }

            var reader = new Utf8JsonReader(JsonSerializer.SerializeToUtf8Bytes(text));
            iso = reader.Read() && reader.TryGetDateTime(out _);
        }

        return iso
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }
}
