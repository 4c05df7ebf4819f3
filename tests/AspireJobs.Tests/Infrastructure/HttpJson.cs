using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>Small helpers for calling the Api in tests: post JSON, read JSON, check the status.</summary>
public static class HttpJson
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<JsonElement> PostJsonAsync(this HttpClient http, string path, object body, HttpStatusCode expected)
    {
        using var response = await http.PostAsJsonAsync(path, body, Token);
        return await ReadAsync(response, expected);
    }

    public static async Task<JsonElement> PostJsonAsync(this HttpClient http, string path, HttpStatusCode expected)
    {
        using var response = await http.PostAsync(path, null, Token);
        return await ReadAsync(response, expected);
    }

    public static async Task<JsonElement> PatchJsonAsync(this HttpClient http, string path, object body, HttpStatusCode expected)
    {
        using var response = await http.PatchAsJsonAsync(path, body, Token);
        return await ReadAsync(response, expected);
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient http, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await http.GetAsync(path, Token);
        return await ReadAsync(response, expected);
    }

    public static Guid Id(this JsonElement job) => job.GetProperty("id").GetGuid();

    public static string Status(this JsonElement job) => job.GetProperty("status").GetString()!;

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
