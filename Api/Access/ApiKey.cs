using System.Security.Cryptography;
using System.Text;

namespace AspireJobs.Api.Access;

/// <summary>
/// One configured API key: its name (what logs and rate limits show), its scope, and the SHA-256
/// of the key, which is all the Api keeps. Keys are long random strings, so a fast hash is
/// enough: there is no dictionary to try.
/// </summary>
public sealed record ApiKey(string Name, ApiScope Scope, byte[] Hash)
{
    public const int MinLength = 16;

    public static byte[] HashOf(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The hash as configuration carries it (<c>Api:Keys:name:Hash</c>): 64 hex digits.</summary>
    public static string HexHashOf(string key) => Convert.ToHexStringLower(HashOf(key));

    /// <summary>A short, non-secret fingerprint of the hash, so a login cookie can tell whether its key still exists.</summary>
    public string Fingerprint => Convert.ToHexStringLower(Hash.AsSpan(0, 8));
}
