using System.Security.Cryptography;
using System.Text;
using AspireJobs.Core.Storage;
using StackExchange.Redis;

namespace AspireJobs.Core.Dispatch;

/// <summary>
/// A Lua script embedded in Core, called by its SHA-1. When Redis does not know the hash (the
/// first call, or after a restart emptied its script cache) the script is loaded once and the
/// call repeated.
/// </summary>
public sealed class RedisScript
{
    private readonly string _text;
    private readonly byte[] _hash;

    private RedisScript(string name, string text)
    {
        Name = name;
        _text = text;
#pragma warning disable CA5350 // Redis names scripts by SHA-1; this is an identifier, not security.
        _hash = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    public string Name { get; }

    public static RedisScript Load(string fileName) => new(fileName, EmbeddedFile.Core(fileName));

    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await database.ScriptEvaluateAsync(_hash, keys, values);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            await database.ExecuteAsync("SCRIPT", "LOAD", _text);
            return await database.ScriptEvaluateAsync(_hash, keys, values);
        }
    }
}
