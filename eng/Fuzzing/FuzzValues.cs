using System.Text;
using System.Text.Json.Nodes;

namespace AspireJobs.Fuzzing;

/// <summary>
/// The values a fuzzer puts where the Api expects something: right ones, near misses, wrong
/// types, extremes, unicode edge cases, huge and deeply nested ones.
/// </summary>
public sealed class FuzzValues(Random random)
{
    private static readonly string[] Strings =
    [
        "", " ", "noop", "echo", "a.b:c-d_e", "0", "-1", "null", "true", "[]", "{}", "\0", "\u0000abc", "\uFEFF", "\u200B\u200D", "\u202Etxet",
        "日本語", "😀🚀", "e\u0301", "\uD800", "\uDFFF", "'; drop table jobs; --", "%00", "../../etc/passwd", "<script>alert(1)</script>",
        "${jndi:ldap://x}", "\r\n\r\nX-Injected: 1", "NaN", "Infinity", "1e309", "00000000-0000-0000-0000-000000000000",
    ];

    private static readonly string[] Numbers =
        ["0", "1", "3", "5", "-1", "6", "25", "26", "2147483647", "2147483648", "-2147483649", "9223372036854775808", "1e309", "-0", "1.5", "3.0", "1e2", "0x10"];

    public Random Random => random;

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public string Text() => random.Next(10) switch
    {
        0 => new string('x', random.Next(1, 4) * 100_000),
        1 => RandomUnicode(random.Next(1, 300)),
        _ => Pick(Strings),
    };

    /// <summary>Any JSON value, as text: often valid, sometimes not JSON at all.</summary>
    public string AnyJson() => random.Next(14) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => Pick(Numbers),
        3 => Quote(Text()),
        4 => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(_ => Pick(Numbers))) + "]",
        5 => "{}",
        6 => Nested(random.Next(1, 2000)),
        7 => "{\"a\":1,\"a\":2}",
        8 => "[" + string.Join(",", Enumerable.Repeat("1", random.Next(1, 50_000))) + "]",
        9 => "\"" + Guid.NewGuid() + "\"",
        10 => Quote(DateTimeOffset.UtcNow.AddMinutes(random.Next(-10_000, 10_000)).ToString("O")),
        11 => "{\"ms\":" + Pick(Numbers) + "}",
        12 => "[\"" + Guid.NewGuid() + "\"]",
        _ => Pick(["{", "[1,", "\"abc", "tru", "{\"a\" 1}", "'single'", "01", "+1", ".5", "[1,]", "{,}"]),
    };

    /// <summary><paramref name="depth"/> arrays or objects inside each other.</summary>
    public string Nested(int depth)
    {
        var open = new StringBuilder();
        var close = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            if (random.Next(2) == 0)
            {
                open.Append('[');
                close.Insert(0, ']');
            }
            else
            {
                open.Append("{\"k\":");
                close.Insert(0, '}');
            }
        }

        return open.Append('1').Append(close).ToString();
    }

    /// <summary>A JSON string literal, escaping what JSON requires; lone surrogates go through as escapes, as a hostile client may send them.</summary>
    public static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (c < 0x20 || char.IsSurrogate(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>A valid job request, as the contract describes one, to mutate.</summary>
    public JsonObject ValidJob() => new()
    {
        ["type"] = Pick(["noop", "echo", "fuzz.job"]),
        ["payload"] = new JsonObject { ["n"] = random.Next(1000) },
        ["priority"] = random.Next(1, 6),
        ["maxRetries"] = random.Next(0, 26),
        ["timeoutMs"] = random.Next(1, 600_000),
        // Far away, so fuzzed jobs do not run while the fuzzer looks.
        ["runAt"] = DateTimeOffset.UtcNow.AddDays(1).ToString("O"),
    };

    /// <summary>A valid snapshot request: <c>{ kind, label }</c>.</summary>
    public JsonObject ValidSnapshot() => new()
    {
        ["kind"] = Pick(["full", "incremental"]),
        ["label"] = $"fuzz {random.Next(1000)}",
    };

    /// <summary>
    /// A valid restore (of a snapshot) or point-in-time recovery request, a dry run mostly; a
    /// recovery's has a time and may filter on the status then.
    /// </summary>
    public JsonObject ValidRestore(bool pointInTime)
    {
        var filter = new JsonObject { ["type"] = Pick(["noop", "echo", "fuzz.job"]), ["statusNow"] = new JsonArray("queued", "scheduled") };
        var request = new JsonObject
        {
            ["apply"] = random.Next(4) == 0,
            ["filter"] = filter,
            ["examples"] = random.Next(0, 20),
        };
        if (pointInTime)
        {
            filter["statusThen"] = new JsonArray("completed");
            request["at"] = DateTimeOffset.UtcNow.AddSeconds(-random.Next(0, 600)).ToString("O");
        }
        else
        {
            request["mode"] = Pick(["skip", "overwrite", "newest-wins"]);
        }

        return request;
    }

    /// <summary>A valid search of past executions: <c>{ text, type, outcome, limit }</c>.</summary>
    public JsonObject ValidSearch() => new()
    {
        ["text"] = Pick(["timeout talking to the gateway", "disk full", "NullReferenceException"]),
        ["type"] = Pick(["noop", "echo", "fuzz.job"]),
        ["outcome"] = Pick(["completed", "failed", "timed_out", "dead_lettered"]),
        ["limit"] = random.Next(1, 50),
    };

    private string RandomUnicode(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append((char)random.Next(0x20, 0xFFFF));
        }

        return builder.ToString();
    }
}
