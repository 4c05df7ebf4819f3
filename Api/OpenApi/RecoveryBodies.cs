using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace AspireJobs.Api.OpenApi;

// The wire shapes of the snapshot and recovery bodies, for the OpenAPI document only (the routes
// read raw JSON, like the job routes).

/// <summary>A snapshot to take.</summary>
public sealed class SnapshotRequestBody
{
    [AllowedValues("full", "incremental")]
    [Description("full (default): every job not finished; incremental: what changed since the newest snapshot.")]
    public string? Kind { get; init; }

    [StringLength(200, MinimumLength = 1), Description("A name to find it by.")]
    public string? Label { get; init; }
}

/// <summary>Which jobs a restore looks at.</summary>
public sealed class RestoreFilterBody
{
    [RegularExpression("^[A-Za-z0-9._:-]{1,200}$"), Description("Only jobs of this type.")]
    public string? Type { get; init; }

    [Description("Only jobs in this state now (a status, or a list of them).")]
    public string[]? StatusNow { get; init; }

    [Description("Point-in-time recovery only: only jobs that were in this state then.")]
    public string[]? StatusThen { get; init; }
}

/// <summary>A restore from a snapshot.</summary>
public class RestoreRequestBody
{
    [AllowedValues("newest-wins", "skip", "overwrite")]
    [Description("For jobs that ran since: newest-wins (default) keeps those that completed, skip keeps all of them, overwrite puts back all.")]
    public string? Mode { get; init; }

    [Description("true writes the restore; false or absent answers the diff only.")]
    public bool? Apply { get; init; }

    [Description("Which jobs to look at.")]
    public RestoreFilterBody? Filter { get; init; }

    [Range(0, 1_000), Description("How many example jobs the diff lists (default 20).")]
    public int? Examples { get; init; }
}

/// <summary>A point-in-time recovery: a restore to the state the transition log gives for a time.</summary>
public sealed class PointInTimeRequestBody : RestoreRequestBody
{
    [Required, Description("The time to go back to (ISO-8601, in the past, within the transition log's retention).")]
    public required DateTimeOffset At { get; init; }
}
