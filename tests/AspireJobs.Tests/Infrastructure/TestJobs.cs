using AspireJobs.Core.Jobs;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>Factory of job requests for tests: every field has a plain default.</summary>
public static class TestJobs
{
    public static NewJob New(
        string type = "noop",
        string payload = "{}",
        int priority = JobLimits.DefaultPriority,
        int maxRetries = JobLimits.DefaultMaxRetries,
        TimeSpan? timeout = null,
        IReadOnlyList<Guid>? dependsOn = null,
        DateTimeOffset? runAt = null,
        string? idempotencyKey = null,
        DateTimeOffset? createdAt = null) =>
        new(createdAt is { } at ? Guid.CreateVersion7(at) : Guid.CreateVersion7(), type, payload, priority, maxRetries, timeout ?? JobLimits.DefaultTimeout,
            dependsOn ?? [], runAt, idempotencyKey);
}
