using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Workflows;

/// <summary>
/// What a transaction did to the jobs around the ones it changed, for Redis to follow once it
/// committed: dependents released to their bands, and queued jobs whose effective priority
/// moved (their band may change). A lost push is made later by the reconciler.
/// </summary>
public sealed record WorkflowChanges(IReadOnlyList<QueuedJob> Released, IReadOnlyList<QueuedJob> Reprioritized)
{
    public static WorkflowChanges None { get; } = new([], []);
}
