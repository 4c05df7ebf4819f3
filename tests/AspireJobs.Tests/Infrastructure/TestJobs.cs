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
        string? idempotencyKey = null) =>
        new(Guid.CreateVersion7(), type, payload, priority, maxRetries, timeout ?? JobLimits.DefaultTimeout,
            dependsOn ?? [], runAt, idempotencyKey);
}
