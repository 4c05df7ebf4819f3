using System.Text.Json;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Recovery;

namespace AspireJobs.Api.Recovery;

/// <summary>
/// Reads what restores and point-in-time recovery share: <c>mode</c> (default newest-wins),
/// <c>apply</c> (default false: a dry run), <c>filter</c> { type, statusNow, statusThen } where a
/// status is one state or a list, and <c>examples</c> (0-1,000, default 20). Errors go by field.
/// </summary>
public static class RestoreRequestReader
{
    public const int MaxExamples = 1_000;

    public static RestoreRequest Read(JsonElement body, bool statusThenAllowed, IDictionary<string, string[]> errors)
    {
        var mode = RestoreMode.NewestWins;
        if (body.TryGetProperty("mode", out var modeValue) && modeValue.ValueKind != JsonValueKind.Null
            && (modeValue.ValueKind != JsonValueKind.String || !RestoreModeText.TryParse(modeValue.GetString(), out mode)))
        {
            errors["mode"] = [$"The mode must be {RestoreModeText.Allowed}."];
        }

        var apply = false;
        if (body.TryGetProperty("apply", out var applyValue) && applyValue.ValueKind != JsonValueKind.Null)
        {
            if (applyValue.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                apply = applyValue.GetBoolean();
            }
            else
            {
                errors["apply"] = ["apply must be true or false."];
            }
        }

        var examples = RestoreRequest.DefaultExamples;
        if (body.TryGetProperty("examples", out var examplesValue) && examplesValue.ValueKind != JsonValueKind.Null
            && (examplesValue.ValueKind != JsonValueKind.Number || !examplesValue.TryGetInt32(out examples) || examples is < 0 or > MaxExamples))
        {
            errors["examples"] = [$"examples must be an integer from 0 to {MaxExamples}."];
        }

        var filter = RestoreFilter.None;
        if (body.TryGetProperty("filter", out var filterValue) && filterValue.ValueKind != JsonValueKind.Null)
        {
            filter = ReadFilter(filterValue, statusThenAllowed, errors);
        }

        return new RestoreRequest(mode, filter, apply, examples);
    }

    private static RestoreFilter ReadFilter(JsonElement filter, bool statusThenAllowed, IDictionary<string, string[]> errors)
    {
        if (filter.ValueKind != JsonValueKind.Object)
        {
            errors["filter"] = ["The filter must be an object: { type, statusNow" + (statusThenAllowed ? ", statusThen }." : " }.")];
            return RestoreFilter.None;
        }

        string? type = null;
        if (filter.TryGetProperty("type", out var typeValue) && typeValue.ValueKind != JsonValueKind.Null)
        {
            if (typeValue.ValueKind == JsonValueKind.String && JobLimits.IsValidType(typeValue.GetString()))
            {
                type = typeValue.GetString();
            }
            else
            {
                errors["filter.type"] = ["The type must be 1-200 characters of [A-Za-z0-9._:-]."];
            }
        }

        var statusNow = ReadStatuses(filter, "statusNow", errors);
        var statusThen = ReadStatuses(filter, "statusThen", errors);
        if (statusThen is not null && !statusThenAllowed)
        {
            errors["filter.statusThen"] = ["A snapshot's jobs are as the snapshot holds them; statusThen is for point-in-time recovery."];
        }

        return new RestoreFilter(type, statusNow, statusThen);
    }

    private static List<JobStatus>? ReadStatuses(JsonElement filter, string name, IDictionary<string, string[]> errors)
    {
        if (!filter.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // An empty list would match every status, the opposite of what a client whose selection
        // came out empty meant: refused rather than read as no filter.
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0)
        {
            errors[$"filter.{name}"] = [$"{name} must name at least one status, or be left out to match every status."];
            return null;
        }

        IEnumerable<JsonElement> items = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [value];
        var statuses = new List<JobStatus>();
        foreach (var item in items)
        {
            if (item.ValueKind != JsonValueKind.String || !JobStatusText.TryParse(item.GetString(), out var status))
            {
                errors[$"filter.{name}"] = [$"{name} must be a status or a list of them: {string.Join(", ", JobStatusText.All)}."];
                return null;
            }

            statuses.Add(status);
        }

        return statuses;
    }
}
