using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace AspireJobs.Api.Memory;

/// <summary>A search of past attempts by meaning (for the OpenAPI document; the route reads the raw JSON).</summary>
public sealed class ExecutionSearchBody
{
    [Required, StringLength(4000, MinimumLength = 1)]
    [Description("What to look for, such as an error message. Ids, numbers, hex and addresses are normalised away, as in stored attempts.")]
    public required string Text { get; init; }

    [StringLength(200, MinimumLength = 1), RegularExpression("^[A-Za-z0-9._:-]{1,200}$")]
    [Description("Only attempts of jobs of this type.")]
    public string? Type { get; init; }

    [AllowedValues("completed", "failed", "timed_out", "dead_lettered")]
    [Description("Only attempts that ended so.")]
    public string? Outcome { get; init; }

    [Range(1, 100), Description("How many to answer (default 10).")]
    public int? Limit { get; init; }
}
