using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AspireJobs.ServiceDefaults;

/// <summary>
/// Readiness that waits for work a service does once it has started (a model loaded, a code path
/// rehearsed): <c>/health</c> fails, saying what it waits for, until <see cref="IsReady"/> holds,
/// so whoever waits for the service to be healthy meets it with that work done. <c>/alive</c> is
/// not affected.
/// </summary>
public abstract class ReadinessCheck(string waitingFor) : IHealthCheck
{
    protected abstract bool IsReady { get; }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(waitingFor));
}
