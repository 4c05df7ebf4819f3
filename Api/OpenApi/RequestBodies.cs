using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace AspireJobs.Api.OpenApi;

// The wire shapes of the request bodies, for the OpenAPI document only. The routes read their
// bodies as raw JSON (JobRequestReader) so that every field's error is reported at once, and a
// payload is stored exactly as sent; these classes describe what that reader accepts (numbers
// as JSON numbers only: see StrictNumbers).

/// <summary>A job to create.</summary>
public sealed class JobRequestBody
{
    [Required, StringLength(200, MinimumLength = 1), RegularExpression("^[A-Za-z0-9._:-]{1,200}$")]
    [Description("What the job does: the handler registered for this type runs it.")]
    public required string Type { get; init; }

    [Description("Any JSON, handed to the handler as sent (default {}).")]
    public JsonElement? Payload { get; init; }

    [Range(1, 5), Description("1 (low) to 5 (high); default 3, or the highest of its parents' when it names any.")]
    public int? Priority { get; init; }

    [Range(0, 25), Description("Retries after the first attempt fails (default 5).")]
    public int? MaxRetries { get; init; }

    [Range(1, 86_400_000), Description("An attempt running longer fails as timed out (default 300000).")]
    public int? TimeoutMs { get; init; }

    [Description("Job ids, or in a batch refs of jobs of the same batch, that must complete first.")]
    public string[]? DependsOn { get; init; }

    [Description("Not before this time (ISO-8601); the job is scheduled until then.")]
    public DateTimeOffset? RunAt { get; init; }

    [StringLength(200, MinimumLength = 1), Description("A repeat with the same key returns the existing job with 200.")]
    public string? IdempotencyKey { get; init; }

    [AllowedValues("cancel", "run", "ignore")]
    [Description("When a parent ends dead-lettered or cancelled: cancel this job too (default), run it anyway, or ignore that parent.")]
    public string? OnDependencyFailure { get; init; }

    [StringLength(200, MinimumLength = 1), Description("In a batch: a name that dependsOn of the same batch may use.")]
    public string? Ref { get; init; }
}

/// <summary>Jobs to create all together, or none.</summary>
public sealed class BatchRequestBody
{
    [Required, Length(1, 10_000), Description("1 to 10,000 job requests.")]
    public required JobRequestBody[] Jobs { get; init; }
}

/// <summary>A job's new priority.</summary>
public sealed class PriorityChangeBody
{
    [Required, Range(1, 5), Description("1 (low) to 5 (high).")]
    public required int Priority { get; init; }
}
