using AspireJobs.AppHost.Infrastructure;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>What this run of the AppHost was started with, for the services that report on it.</summary>
public sealed record AppHostRun(string DataDirectory, InfrastructureMode Infrastructure)
{
    public string StatusFilePath => StatusFile.PathIn(DataDirectory);
}
