using System.Security.Cryptography;
using AspireJobs.ServiceDefaults;
using Microsoft.Extensions.Primitives;

namespace AspireJobs.Api.Access;

/// <summary>
/// The API keys the Api accepts now, read from <c>Api:Keys</c> (each <c>name</c> with a
/// <c>Key</c> or its <c>Hash</c>, and a <c>Scope</c>) and read again whenever the configuration
/// reloads: rotation adds a key, moves the clients, then removes the old one, without a restart.
/// A bad section stops the Api at start; after start, a bad edit is logged and the previous keys
/// stay in force.
/// </summary>
public sealed partial class ApiKeyRing
{
    public const string Section = "Api:Keys";

    private readonly ILogger<ApiKeyRing> _logger;
    private volatile IReadOnlyList<ApiKey> _keys;

    public ApiKeyRing(IConfiguration configuration, ILogger<ApiKeyRing> logger)
    {
        _logger = logger;
        var (keys, errors) = Parse(configuration.GetSection(Section));
        if (errors.Count > 0)
        {
            throw new ConfigurationException(string.Join("; ", errors));
        }

        _keys = keys;
        if (keys.Count == 0)
        {
            throw new ConfigurationException($"{Section}: no API key is configured, so nothing but /health and /alive could be called. "
                + $"Set {Section}:<name>:Key (or :Hash, its SHA-256 in hex) and {Section}:<name>:Scope (read, write or admin).");
        }

        ChangeToken.OnChange(configuration.GetReloadToken, () => Reload(configuration.GetSection(Section)));
    }

    public IReadOnlyList<ApiKey> Keys => _keys;

    /// <summary>The key that <paramref name="presented"/> is, or null. Compares with every key in constant time.</summary>
    public ApiKey? Find(string presented)
    {
        var hash = ApiKey.HashOf(presented);
        ApiKey? found = null;
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash))
            {
                found = key;
            }
        }

        return found;
    }

    /// <summary>The key a login cookie was issued for, if it is still configured with the same scope.</summary>
    public ApiKey? FindByFingerprint(string name, string fingerprint) =>
        _keys.FirstOrDefault(k => k.Name == name && k.Fingerprint == fingerprint);

    /// <summary>The keys of a <c>Api:Keys</c> section, or one message per bad entry, each naming its key.</summary>
    public static (IReadOnlyList<ApiKey> Keys, IReadOnlyList<string> Errors) Parse(IConfigurationSection section)
    {
        var keys = new List<ApiKey>();
        var errors = new List<string>();
        foreach (var entry in section.GetChildren())
        {
            var path = $"{Section}:{entry.Key}";
            var plain = entry["Key"];
            var hex = entry["Hash"];
            var unknown = entry.GetChildren().Select(c => c.Key).Except(["Key", "Hash", "Scope"], StringComparer.OrdinalIgnoreCase).ToList();
            if (unknown.Count > 0)
            {
                errors.Add($"{path}: unknown setting {string.Join(", ", unknown)} (a key has Key or Hash, and Scope).");
            }

            if (!ApiScopes.TryParse(entry["Scope"], out var scope))
            {
                errors.Add($"{path}:Scope must be read, write or admin (was '{entry["Scope"]}').");
            }

            byte[]? hash = null;
            if (!string.IsNullOrEmpty(plain) == !string.IsNullOrEmpty(hex))
            {
                errors.Add($"{path}: set exactly one of Key and Hash.");
            }
            else if (!string.IsNullOrEmpty(plain))
            {
                hash = plain.Length >= ApiKey.MinLength && !plain.Any(char.IsWhiteSpace)
                    ? ApiKey.HashOf(plain)
                    : null;
                if (hash is null)
                {
                    errors.Add($"{path}:Key must be at least {ApiKey.MinLength} characters, without spaces.");
                }
            }
            else
            {
                hash = hex!.Length == 64 && hex.All(char.IsAsciiHexDigit) ? Convert.FromHexString(hex) : null;
                if (hash is null)
                {
                    errors.Add($"{path}:Hash must be the key's SHA-256 as 64 hex digits.");
                }
            }

            if (hash is not null && scope != 0)
            {
                keys.Add(new ApiKey(entry.Key, scope, hash));
            }
        }

        return (keys, errors);
    }

    private void Reload(IConfigurationSection section)
    {
        var (keys, errors) = Parse(section);
        if (errors.Count > 0)
        {
            LogRejected(_logger, string.Join("; ", errors));
            return;
        }

        if (keys.Count == 0)
        {
            // Most likely a keys file caught between its removal and its replacement: refused,
            // as at start, rather than signing every client out.
            LogRejected(_logger, $"{Section}: no API key is left configured");
            return;
        }

        var described = Describe(keys);
        if (described == Describe(_keys))
        {
            return;
        }

        _keys = keys;
        LogReloaded(_logger, keys.Count, described);
    }

    private static string Describe(IReadOnlyList<ApiKey> keys) =>
        string.Join(", ", keys.Select(k => $"{k.Name} ({k.Scope.Name()}, {k.Fingerprint})"));

    [LoggerMessage(Level = LogLevel.Error, Message = "The API keys were not changed: {Errors}")]
    private static partial void LogRejected(ILogger logger, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "API keys now in force: {Count}: {Keys}")]
    private static partial void LogReloaded(ILogger logger, int count, string keys);
}
