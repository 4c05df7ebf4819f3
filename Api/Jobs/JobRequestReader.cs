using System.Globalization;
using System.Text;
using System.Text.Json;
using AspireJobs.Core.Jobs;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Reads one job request (the contract's "Job request") from JSON, field by field, so that each
/// wrong field gets its own message and a payload over the limit is told apart (413) from a
/// malformed request (400). Unknown fields are ignored.
/// </summary>
public sealed class JobRequestReader(ApiOptions options)
{
    /// <summary>Reads a request; <paramref name="errorPrefix"/> names its place in a batch (<c>jobs[3].</c>).</summary>
    public JobRequestResult Read(JsonElement request, DateTimeOffset now, string errorPrefix = "")
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
        }

        var priority = ReadInteger(request, "priority", JobLimits.MinPriority, JobLimits.MaxPriority, JobLimits.DefaultPriority, Error);
        var maxRetries = ReadInteger(request, "maxRetries", JobLimits.MinRetries, JobLimits.MaxRetries, JobLimits.DefaultMaxRetries, Error);
        var timeoutMs = ReadInteger(request, "timeoutMs",
            (long)JobLimits.MinTimeout.TotalMilliseconds, (long)JobLimits.MaxTimeout.TotalMilliseconds,
            (long)JobLimits.DefaultTimeout.TotalMilliseconds, Error);

        var dependsOn = ReadDependsOn(request, Error);
        var runAt = ReadRunAt(request, Error);

        string? idempotencyKey = null;
        if (request.TryGetProperty("idempotencyKey", out var keyElement) && keyElement.ValueKind != JsonValueKind.Null)
        {
            if (keyElement.ValueKind != JsonValueKind.String || keyElement.GetString() is not { Length: >= 1 and <= JobLimits.IdempotencyKeyMaxLength } key)
            {
                Error("idempotencyKey", $"The idempotencyKey must be a string of 1 to {JobLimits.IdempotencyKeyMaxLength} characters.");
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

        var job = new NewJob(
            Guid.CreateVersion7(now), type!, payload, (int)priority, (int)maxRetries,
            TimeSpan.FromMilliseconds(timeoutMs), dependsOn, runAt, idempotencyKey);
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

    private List<Guid> ReadDependsOn(JsonElement request, Action<string, string> error)
    {
        if (!request.TryGetProperty("dependsOn", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            error("dependsOn", "The dependsOn field must be an array of job ids.");
            return [];
        }

        if (element.GetArrayLength() > options.MaxDependencies)
        {
            error("dependsOn", $"A job may depend on at most {options.MaxDependencies} jobs.");
            return [];
        }

        var ids = new List<Guid>(element.GetArrayLength());
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !Guid.TryParse(item.GetString(), out var id))
            {
                error("dependsOn", "Every entry of dependsOn must be a job id (a UUID).");
                return [];
            }

            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static DateTimeOffset? ReadRunAt(JsonElement request, Action<string, string> error)
    {
        if (!request.TryGetProperty("runAt", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var runAt))
        {
            return runAt;
        }

        error("runAt", "The runAt field must be an ISO-8601 date and time, such as 2030-01-01T12:00:00Z.");
        return null;
    }
}

/// <summary>A job read from a request, or the errors per field that stopped it.</summary>
public sealed record JobRequestResult(NewJob? Job, IDictionary<string, string[]> Errors, bool PayloadTooLarge)
{
    public static JobRequestResult Valid(NewJob job) => new(job, new Dictionary<string, string[]>(), false);

    public static JobRequestResult Invalid(IDictionary<string, string[]> errors, bool payloadTooLarge = false) =>
        new(null, errors, payloadTooLarge);
}
