using System.Security.Cryptography;
using AspireJobs.Api.Access;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>One API key per scope for the tests' Apis, generated once per run, and the settings that configure them.</summary>
public static class TestApiKeys
{
    private static readonly Dictionary<ApiScope, string> Keys = Enum.GetValues<ApiScope>()
        .ToDictionary(scope => scope, _ => RandomNumberGenerator.GetHexString(32, lowercase: true));

    public static string For(ApiScope scope) => Keys[scope];

    /// <summary><c>Api:Keys:{scope}</c> for each scope, as configuration keys; the admin key by hash, the others as keys.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Settings() => Keys.SelectMany(pair => new[]
    {
        pair.Key == ApiScope.Admin
            ? new KeyValuePair<string, string>($"Api:Keys:{pair.Key.Name()}:Hash", ApiKey.HexHashOf(pair.Value))
            : new KeyValuePair<string, string>($"Api:Keys:{pair.Key.Name()}:Key", pair.Value),
        new KeyValuePair<string, string>($"Api:Keys:{pair.Key.Name()}:Scope", pair.Key.Name()),
    });

    /// <summary>Sends <paramref name="scope"/>'s key with every request of <paramref name="http"/>.</summary>
    public static HttpClient WithKey(this HttpClient http, ApiScope scope)
    {
        http.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, For(scope));
        return http;
    }
}
