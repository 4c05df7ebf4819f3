using System.Globalization;
using System.Text;
using System.Text.Json;
using AspireJobs.Api.Http;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workflows;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Reads one job request (the contract's "Job request") from JSON, field by field, so that each
/// wrong field gets its own message and a payload over the limit is told apart (413) from a
/// malformed request (400). Unknown fields are ignored.
/// </summary>
public sealed class JobRequestReader(ApiOptions options)
{
    /// <summary>
    /// Reads a request; <paramref name="errorPrefix"/> names its place in a batch (<c>jobs[3].</c>),
    /// where a <c>ref</c> may name it and <c>dependsOn</c> may name the refs of the batch.
    /// </summary>
    public JobRequestResult Read(JsonElement request, DateTimeOffset now, string errorPrefix = "", bool inBatch = false)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Error(string field, string message) => errors[errorPrefix + field] = [message];

        if (request.ValueKind != JsonValueKind.Object)
        {
            Error("body", "A job request must be a JSON object.");
            return JobRequestResult.Invalid(errors);
        }

        string? type = null;
        if (!request.TryGetProperty("type", out var typeElement) || typeElement.ValueKind == JsonValueKind.Null)
        {
            Error("type", "The type field is required.");
        }
        else if (typeElement.ValueKind != JsonValueKind.String || !JobLimits.IsValidType(typeElement.GetString()))
        {
            Error("type", $"The type must be a string of 1 to {JobLimits.TypeMaxLength} characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'.");
        }
        else
        {
            type = typeElement.GetString();
        }

        var payload = "{}";
        var payloadTooLarge = false;
        if (request.TryGetProperty("payload", out var payloadElement))
        {
            payload = payloadElement.GetRawText();
            if (Encoding.UTF8.GetByteCount(payload) > options.MaxPayloadBytes)
            {
                Error("payload", $"The payload must be at most {options.MaxPayloadBytes} bytes of JSON.");
                payloadTooLarge = true;
            }
            else if (JsonDepth.Of(payloadElement) > options.MaxPayloadDepth)
            {
                Error("payload", $"The payload may nest objects and arrays at most {options.MaxPayloadDepth} deep.");
            }
        }

        // No priority: inherited from the parents (JobPlanner), else the default.
        int? priority = request.TryGetProperty("priority", out var priorityElement) && priorityElement.ValueKind != JsonValueKind.Null
            ? (int)ReadInteger(request, "priority", JobLimits.MinPriority, JobLimits.MaxPriority, JobLimits.DefaultPriority, Error)
            : null;
        var maxRetries = ReadInteger(request, "maxRetries", JobLimits.MinRetries, JobLimits.MaxRetries, JobLimits.DefaultMaxRetries, Error);
        var timeoutMs = ReadInteger(request, "timeoutMs",
            (long)JobLimits.MinTimeout.TotalMilliseconds, (long)JobLimits.MaxTimeout.TotalMilliseconds,
            (long)JobLimits.DefaultTimeout.TotalMilliseconds, Error);

        var dependsOn = ReadDependsOn(request, inBatch, Error);
        var runAt = ReadRunAt(request, Error);
        var policy = ReadPolicy(request, Error);
        var reference = inBatch ? ReadRef(request, Error) : null;

        string? idempotencyKey = null;
        if (request.TryGetProperty("idempotencyKey", out var keyElement) && keyElement.ValueKind != JsonValueKind.Null)
        {
            // PostgreSQL's text holds no U+0000 (a payload, kept as JSON text, holds its escape).
            if (keyElement.ValueKind != JsonValueKind.String || keyElement.GetString() is not { Length: >= 1 and <= JobLimits.IdempotencyKeyMaxLength } key
                || key.Contains('\0', StringComparison.Ordinal))
            {
                Error("idempotencyKey", $"The idempotencyKey must be a string of 1 to {JobLimits.IdempotencyKeyMaxLength} characters, without U+0000.");
            }
            else
            {
                idempotencyKey = key;
            }
        }

        if (errors.Count > 0)
        {
            return JobRequestResult.Invalid(errors, payloadTooLarge);
        }

        var job = new JobRequest(
            Guid.CreateVersion7(now), type!, payload, priority, (int)maxRetries,
            TimeSpan.FromMilliseconds(timeoutMs), dependsOn, runAt, idempotencyKey, policy, reference);
        return JobRequestResult.Valid(job);
    }

    private static long ReadInteger(JsonElement request, string field, long min, long max, long defaultValue, Action<string, string> error)
    {
        if (!request.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return defaultValue;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= min && value <= max)
        {
            return value;
        }

        error(field, $"The {field} must be an integer from {min.ToString("N0", CultureInfo.InvariantCulture)} to {max.ToString("N0", CultureInfo.InvariantCulture)}.");
        return defaultValue;
    }

    /// <summary>Job ids; in a batch also refs of its jobs (told apart when the batch is planned).</summary>
    private List<string> ReadDependsOn(JsonElement request, bool inBatch, Action<string, string> error)
    {
        if (!request.TryGetProperty("dependsOn", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var expected = inBatch ? "job ids, or refs of jobs of this batch" : "job ids";
        if (element.ValueKind != JsonValueKind.Array)
        {
            error("dependsOn", $"The dependsOn field must be an array of {expected}.");
            return [];
        }

        if (element.GetArrayLength() > options.MaxDependencies)
        {
            error("dependsOn", $"A job may depend on at most {options.MaxDependencies} jobs.");
            return [];
        }

        var entries = new List<string>(element.GetArrayLength());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in element.EnumerateArray())
        {
            var entry = item.ValueKind == JsonValueKind.String ? item.GetString()! : null;
            var valid = entry is not null && (Guid.TryParse(entry, out _) || (inBatch && IsValidRef(entry)));
            if (!valid)
            {
                error("dependsOn", $"Every entry of dependsOn must be one of {expected} (a UUID{(inBatch ? ", or a ref" : "")}).");
                return [];
            }

            // One spelling per job id, so a repeat in another case or format is a repeat.
            var key = Guid.TryParse(entry, out var id) ? id.ToString() : entry!;
            if (seen.Add(key))
            {
                entries.Add(key);
            }
        }

        return entries;
    }

    private static DependencyFailurePolicy ReadPolicy(JsonElement request, Action<string, string> error)
    {
        if (!request.TryGetProperty("onDependencyFailure", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return DependencyFailurePolicy.Cancel;
        }

        if (element.ValueKind == JsonValueKind.String && DependencyFailurePolicyText.TryParse(element.GetString(), out var policy))
        {
            return policy;
        }

        error("onDependencyFailure", $"The onDependencyFailure field must be one of: {string.Join(", ", DependencyFailurePolicyText.All)}.");
        return DependencyFailurePolicy.Cancel;
    }

    private static string? ReadRef(JsonElement request, Action<string, string> error)
    {
        if (!request.TryGetProperty("ref", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.String && element.GetString() is { } reference && IsValidRef(reference))
        {
            // A ref shaped as a UUID is spelled as dependsOn spells it, so any spelling names it.
            return Guid.TryParse(reference, out var asId) ? asId.ToString() : reference;
        }

        error("ref", $"The ref must be a string of 1 to {MaxRefLength} characters.");
        return null;
    }

    private const int MaxRefLength = 200;

    private static bool IsValidRef(string? reference) => reference is { Length: >= 1 and <= MaxRefLength };

    private static DateTimeOffset? ReadRunAt(JsonElement request, Action<string, string> error)
    {
        if (!request.TryGetProperty("runAt", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (RequestTime.TryRead(element, out var runAt))
        {
            return runAt;
        }

        error("runAt", "The runAt field must be an ISO-8601 date and time, such as 2030-01-01T12:00:00Z.");
        return null;
    }
}

/// <summary>A job read from a request, or the errors per field that stopped it.</summary>
public sealed record JobRequestResult(JobRequest? Job, IDictionary<string, string[]> Errors, bool PayloadTooLarge)
{
    public static JobRequestResult Valid(JobRequest job) => new(job, new Dictionary<string, string[]>(), false);

    public static JobRequestResult Invalid(IDictionary<string, string[]> errors, bool payloadTooLarge = false) =>
        new(null, errors, payloadTooLarge);
}
