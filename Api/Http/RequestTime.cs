using System.Globalization;
using System.Text.Json;

namespace AspireJobs.Api.Http;

/// <summary>
/// A time a request gives as a JSON string: ISO-8601, with its offset, or without one and then
/// read as UTC, the offset of every time the Api answers with. Never as the server's local time,
/// which would move it by the server's zone.
/// </summary>
public static class RequestTime
{
    public static bool TryRead(JsonElement element, out DateTimeOffset time)
    {
        time = default;
        return element.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }
}
