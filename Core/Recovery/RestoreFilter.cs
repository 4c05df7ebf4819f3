using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Recovery;

/// <summary>Which jobs a restore looks at: of a type, in one of some states now, in one of some states then. Null: any.</summary>
public sealed record RestoreFilter(string? Type = null, IReadOnlyList<JobStatus>? StatusNow = null, IReadOnlyList<JobStatus>? StatusThen = null)
{
    public static readonly RestoreFilter None = new();

    public bool AdmitsThen(JobStatus status) => StatusThen is null || StatusThen.Contains(status);
}
