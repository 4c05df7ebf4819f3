using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AspireJobs.Api.Dashboard.Components;

/// <summary>How the dashboard writes values: times in UTC to the second, saying so; JSON indented.</summary>
public static class DashboardText
{
    /// <summary>
    /// Razor encodes the page's text, so the JSON need not escape what HTML would: escaped, a
    /// payload's "Zoë" or "a &lt; b" read "Zo\u00EB" and "a \u003C b", not as the Api returns them.
    /// </summary>
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "";

    /// <summary>JSON as stored, indented; text that is not JSON as it is.</summary>
    public static string Json(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, IndentedJson);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
