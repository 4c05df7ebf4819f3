using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workflows;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// A job request as read, before its dependencies are resolved: <see cref="Priority"/> is null
/// when the request gave none (it is inherited), and <see cref="DependsOn"/> holds job ids and,
/// in a batch, refs of jobs of the same batch. <see cref="JobPlanner"/> turns it into a <see cref="NewJob"/>.
/// </summary>
public sealed record JobRequest(
    Guid Id,
    string Type,
    string PayloadJson,
    int? Priority,
    int MaxRetries,
    TimeSpan Timeout,
    IReadOnlyList<string> DependsOn,
    DateTimeOffset? RunAt,
    string? IdempotencyKey,
    DependencyFailurePolicy OnDependencyFailure,
    string? Ref)
{
    public NewJob ToNewJob(int priority, IReadOnlyList<Guid> dependsOn) =>
        new(Id, Type, PayloadJson, priority, MaxRetries, Timeout, dependsOn, RunAt, IdempotencyKey, OnDependencyFailure);
}
