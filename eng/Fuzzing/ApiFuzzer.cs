using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AspireJobs.Fuzzing;

/// <summary>
/// Sends generated requests to every operation of the Api's OpenAPI document: valid ones, near
/// misses, wrong types, huge and deeply nested bodies, unicode edge cases, duplicated keys, wrong
/// content types, Accept headers that do not name JSON, no key or a key of too small a scope. A
/// finding is a 5xx, no answer within <see cref="RequestTimeout"/>, a 4xx that is not an RFC 7807
/// problem of its own status, a stack trace or an exception's name in a body, or a refused request
/// that changed the stored state. Requests go one at a time, so the state before and after each
/// one belongs to it alone.
/// </summary>
/// <param name="knownIds">
/// Ids that exist before the first request (a worker, a dead letter, a job with parents), for
/// routes whose ids no create answers with: without them those routes only ever answer 404.
/// </param>
public sealed partial class ApiFuzzer(HttpClient admin, HttpClient write, HttpClient readOnly, HttpClient anonymous, Func<Task<string>> storedState, int seed, IEnumerable<Guid>? knownIds = null)
{
    private readonly FuzzValues _values = new(new Random(seed));
    private readonly List<Guid> _knownIds = [.. knownIds ?? []];

    /// <summary>
    /// What a refused request must leave unchanged, as one digest: every job as it was asked for and
    /// where it stands, and the dependency edges. Not the snapshots nor the workers: a running
    /// system takes snapshots and marks workers on its own.
    /// </summary>
    public const string StoredStateSql =
        "SELECT (SELECT count(*)::text || ':' || coalesce(md5(string_agg(concat_ws('|', id, status, priority, effective_priority, payload::text, max_retries, timeout_ms, scheduled_at, idempotency_key), ',' ORDER BY id)), '') FROM jobs)"
        + " || '/' || (SELECT count(*) FROM job_dependencies)";

    /// <param name="Scope">The scope of key it needs (read, write or admin), as its description says.</param>
    public sealed record Operation(string Method, string PathTemplate, IReadOnlyList<string> QueryParameters, bool HasBody, string Scope);

    /// <summary>The operations of an OpenAPI document.</summary>
    public static IReadOnlyList<Operation> OperationsOf(JsonElement document) =>
    [
        .. document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(op => op.Name is "get" or "post" or "put" or "patch" or "delete")
            .Select(op => new Operation(
                op.Name.ToUpperInvariant(),
                path.Name,
                op.Value.TryGetProperty("parameters", out var parameters)
                    ? [.. parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!)]
                    : [],
                op.Value.TryGetProperty("requestBody", out _),
                op.Value.TryGetProperty("description", out var description) && NeededScope().Match(description.GetString() ?? "") is { Success: true } needs
                    ? needs.Groups[1].Value
                    : throw new InvalidOperationException($"{op.Name} {path.Name} does not say which scope of key it needs")))),
    ];

    public async Task<FuzzReport> RunAsync(IReadOnlyList<Operation> operations, int maxRequests, TimeSpan budget, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var byStatus = new Dictionary<int, int>();
        var findings = new List<FuzzFinding>();
        var sent = 0;
        while (sent < maxRequests && started.Elapsed < budget)
        {
            var operation = _values.Pick(operations);
            var (client, refusedByDesign) = _values.Random.Next(20) switch
            {
                0 => (anonymous, true),
                1 => (readOnly, operation.Scope != "read" || (operation.Method != "GET" && !ReadOnlyWrites.Contains(operation.PathTemplate))),
                2 => (write, operation.Scope == "admin"),
                _ => (admin, false),
            };
            var (path, contentType, body) = Build(operation);
            var mutating = operation.Method != "GET";
            var before = mutating ? await storedState() : null;

            using var request = new HttpRequestMessage(new HttpMethod(operation.Method), path);
            if (_values.Random.Next(4) == 0)
            {
                request.Headers.TryAddWithoutValidation("Accept", _values.Pick(AcceptHeaders));
            }

            if (body is not null)
            {
                request.Content = new ByteArrayContent(BytesOf(body));
                if (contentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }
            }

            int status;
            string answer;
            string? mediaType = null;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(RequestTimeout);
            try
            {
                using var response = await client.SendAsync(request, deadline.Token);
                status = (int)response.StatusCode;
                mediaType = response.Content.Headers.ContentType?.MediaType;
                answer = await response.Content.ReadAsStringAsync(deadline.Token);
            }
            catch (HttpRequestException e)
            {
                status = 0;
                answer = e.Message;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                findings.Add(new FuzzFinding(operation.Method, path, contentType, body ?? "", 0, $"no answer within {RequestTimeout.TotalSeconds:0} s"));
                sent++;
                continue;
            }
            catch (InvalidOperationException)
            {
                continue; // the client itself refused to send it (an in-process test server decodes the path first)
            }

            sent++;
            byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
            var finding = Judge(status, mediaType, answer, refusedByDesign, path.Length);
            if (finding is null && mutating && status is < 200 or >= 300 && await storedState() != before)
            {
                finding = "a refused request changed the stored jobs";
            }

            if (finding is not null)
            {
                findings.Add(new FuzzFinding(operation.Method, path, contentType, body ?? "", status, finding));
            }
            else if (status == 201 && TryReadId(answer) is { } id)
            {
                _knownIds.Add(id);
            }
        }

        return new FuzzReport(sent, byStatus, findings, started.Elapsed);
    }

    private static string? Judge(int status, string? mediaType, string answer, bool refusedByDesign, int pathLength)
    {
        // No answer at all is a finding, except for a request line over the server's limit (8 KB in
        // Kestrel), which it refuses with 414 and then closes while the client is still sending.
        if (status >= 500 || (status == 0 && pathLength < MaxRequestLine))
        {
            return $"answered {status}";
        }

        if (StackTrace().IsMatch(answer))
        {
            return "the body shows a stack trace or an exception's name";
        }

        // Kestrel's own refusals of a request line or headers too long come before the Api and carry no body.
        if (status is >= 400 and < 500 and not (414 or 431) && !IsProblemOf(status, mediaType, answer))
        {
            return $"a {status} that is not a problem of its status ({mediaType ?? "no content type"})";
        }

        return refusedByDesign && status is >= 200 and < 300 ? "served without the scope it needs" : null;
    }

    private (string Path, string? ContentType, string? Body) Build(Operation operation)
    {
        var path = Parameter().Replace(operation.PathTemplate, _ => _values.Random.Next(10) switch
        {
            < 6 => Guid.NewGuid().ToString(),
            < 9 when _knownIds.Count > 0 => _values.Pick(_knownIds).ToString(),
            _ => Escape(_values.Text()),
        });

        var query = operation.QueryParameters.Where(_ => _values.Random.Next(2) == 0)
            .Select(name => $"{name}={Escape(QueryValue(name))}")
            .ToList();
        if (query.Count > 0)
        {
            path += "?" + string.Join("&", query);
        }

        if (!operation.HasBody && _values.Random.Next(5) != 0)
        {
            return (path, null, null);
        }

        var contentType = _values.Random.Next(12) switch
        {
            0 => "text/plain",
            1 => "application/x-www-form-urlencoded",
            2 => null,
            3 => "application/json; charset=latin1",
            4 => "multipart/form-data; boundary=x",
            _ => "application/json",
        };
        var body = _values.Random.Next(15) switch
        {
            0 => _values.Pick(["", " ", "\r\n"]),
            _ when operation.PathTemplate.EndsWith("/batch", StringComparison.Ordinal) => Batch(),
            _ => Mutate(ValidBodyOf(operation)),
        };
        if (body.Length > 0 && _values.Random.Next(15) == 0)
        {
            body = body.Insert(_values.Random.Next(body.Length), InvalidUtf8);
        }

        return (path, contentType, body);
    }

    /// <summary>
    /// Stands in the text of a body for bytes that are not UTF-8 (an overlong slash, a byte UTF-8
    /// never uses, an encoded surrogate), which a string cannot hold; <see cref="BytesOf"/> puts them in.
    /// </summary>
    private const string InvalidUtf8 = "\uE000invalid-utf-8\uE000";

    private static byte[] BytesOf(string body)
    {
        var at = body.IndexOf(InvalidUtf8, StringComparison.Ordinal);
        return at < 0
            ? Encoding.UTF8.GetBytes(body)
            : [.. Encoding.UTF8.GetBytes(body[..at]), 0xC0, 0xAF, 0xFF, 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes(body[(at + InvalidUtf8.Length)..])];
    }

    /// <summary>What the contract says a route's body holds: each route's own fields get mutated, not a job's everywhere.</summary>
    private JsonObject ValidBodyOf(Operation operation) => operation.PathTemplate switch
    {
        _ when operation.Method == "PATCH" => new JsonObject { ["priority"] = _values.Random.Next(1, 6) },
        "/api/snapshots" => _values.ValidSnapshot(),
        "/api/recovery/point-in-time" => _values.ValidRestore(pointInTime: true),
        "/api/executions/search" => _values.ValidSearch(),
        _ when operation.PathTemplate.EndsWith("/restore", StringComparison.Ordinal) => _values.ValidRestore(pointInTime: false),
        _ => _values.ValidJob(),
    };

    private string QueryValue(string name) => (name, _values.Random.Next(3)) switch
    {
        ("status", 0) => _values.Pick(["waiting", "scheduled", "queued", "running", "completed", "dead_lettered", "cancelled"]),
        ("limit", 0) => _values.Random.Next(-5, 2000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ("type", 0) => "noop",
        _ => _values.Text(),
    };

    private string Batch() => _values.Random.Next(8) switch
    {
        0 => _values.AnyJson(),
        1 => "{\"jobs\":" + _values.AnyJson() + "}",
        2 => "{\"jobs\":[" + string.Join(",", Enumerable.Range(0, 10_001).Select(_ => "{\"type\":\"noop\"}")) + "]}",
        3 => "{\"jobs\":[{\"ref\":\"a\",\"type\":\"noop\",\"dependsOn\":[\"b\"]},{\"ref\":\"b\",\"type\":\"noop\",\"dependsOn\":[\"a\"]}]}",
        _ => "{\"jobs\":[" + string.Join(",", Enumerable.Range(0, _values.Random.Next(0, 20)).Select(_ => Mutate(_values.ValidJob()))) + "]}",
    };

    /// <summary>A JSON object with one mutation, written by hand so it can also be malformed.</summary>
    private string Mutate(JsonObject valid)
    {
        var fields = valid.Select(p => (Name: p.Key, Json: p.Value?.ToJsonString() ?? "null")).ToList();
        var names = new[]
        {
            "type", "payload", "priority", "maxRetries", "timeoutMs", "dependsOn", "runAt", "idempotencyKey", "onDependencyFailure", "ref",
            "kind", "label", "mode", "apply", "filter", "examples", "at", "text", "outcome", "limit",
        };
        switch (_values.Random.Next(11))
        {
            case 0:
                break; // valid
            case 1 when fields.Count > 0:
                fields.RemoveAt(_values.Random.Next(fields.Count));
                break;
            case 2:
                fields.Add((_values.Pick(names), _values.AnyJson()));
                break;
            case 3 when fields.Count > 0:
                var duplicate = _values.Pick(fields);
                fields.Add((duplicate.Name, _values.AnyJson()));
                break;
            case 4:
                fields.Add(("payload", _values.Nested(_values.Random.Next(20, 400))));
                fields.RemoveAll(f => f.Name == "payload" && !f.Json.StartsWith('[') && !f.Json.StartsWith("{\"k\"", StringComparison.Ordinal));
                break;
            case 5:
                fields.RemoveAll(f => f.Name == "payload");
                fields.Add(("payload", "{\"big\":" + FuzzValues.Quote(new string('y', 1_100_000)) + "}"));
                break;
            case 6:
                return _values.AnyJson();
            case 7:
                fields.RemoveAll(f => f.Name == "dependsOn");
                fields.Add(("dependsOn", "[" + string.Join(",", Enumerable.Range(0, _values.Random.Next(1, 12_000)).Select(_ => $"\"{Guid.NewGuid()}\"")) + "]"));
                break;
            case 8:
                fields.Add((_values.Text(), _values.AnyJson()));
                break;
            default:
                var index = _values.Random.Next(fields.Count);
                fields[index] = (fields[index].Name, _values.AnyJson());
                break;
        }

        return "{" + string.Join(",", fields.Select(f => $"{FuzzValues.Quote(f.Name)}:{f.Json}")) + "}";
    }

    private static string Escape(string value)
    {
        try
        {
            return Uri.EscapeDataString(value);
        }
        catch (UriFormatException)
        {
            return "%ED%A0%80"; // a lone surrogate, as the bytes a hostile client would send
        }
    }

    private static bool IsProblemOf(int status, string? mediaType, string answer)
    {
        try
        {
            return mediaType == "application/problem+json"
                && JsonDocument.Parse(answer).RootElement is { ValueKind: JsonValueKind.Object } problem
                && problem.TryGetProperty("status", out var stated) && stated.TryGetInt32(out var code) && code == status;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Guid? TryReadId(string answer)
    {
        try
        {
            return JsonDocument.Parse(answer).RootElement.TryGetProperty("id", out var id) && id.TryGetGuid(out var guid) ? guid : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private const int MaxRequestLine = 8 * 1024;

    /// <summary>Longer than any request should take on a busy machine, even a batch of 10,000.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private static readonly string[] AcceptHeaders = ["text/plain", "text/html", "application/xml", "image/*", "application/json", "*/*", "application/problem+json;q=0", "x"];

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();

    /// <summary>
    /// The only routes a read key may call with another method than GET (a search sends its text in
    /// a body). Not taken from the document: it says what the code enforces, so a route whose scope
    /// was dropped would read as "read" there too.
    /// </summary>
    private static readonly HashSet<string> ReadOnlyWrites = ["/api/executions/search"];

    [GeneratedRegex(@"Needs an API key of scope '(\w+)'")]
    private static partial Regex NeededScope();

    // A .NET stack frame ("   at X.Y(") or a file and line, or an exception type's name.
    [GeneratedRegex(@"(\s+at [\w.<>`]+\(|\.cs:line \d+|\b\w+Exception\b)")]
    private static partial Regex StackTrace();
}
