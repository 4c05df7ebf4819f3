using AspireJobs.ServiceDefaults;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Ready once the create path's rehearsal has ended (<see cref="CreatePathWarmUp"/>): the Api serves
/// meanwhile, but whoever waits for it to be healthy gets its first burst of creates on warm code.
/// </summary>
public sealed class CreatePathWarmUpHealthCheck(CreatePathWarmUp warmUp) : ReadinessCheck("The create path is being rehearsed.")
{
    /// <summary>The check's name in the health report.</summary>
    public const string Name = "create-path-warm-up";

    protected override bool IsReady => warmUp.IsDone;
}
