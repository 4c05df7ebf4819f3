namespace AspireJobs.Core.Jobs;

/// <summary>A new job named a job to depend on that does not exist. Nothing was written.</summary>
public sealed class UnknownDependencyException(IReadOnlyList<Guid> dependsOn, Exception inner)
    : Exception("A job in dependsOn does not exist.", inner)
{
    public IReadOnlyList<Guid> DependsOn { get; } = dependsOn;
}
