using System.Reflection;

namespace AspireJobs.AppHost.Hosting;

/// <summary>What the instances of one application share: where output goes, where builds are, who waits on whom.</summary>
public sealed class ApplicationRuntime(string repositoryRoot, IProcessOutput output, StatusFile statusFile)
{
    private readonly List<ResourceInstance> _instances = [];
    private readonly TaskCompletionSource<ResourceFailedException> _firstFailure = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static readonly string ConfigurationPivot =
        (typeof(ApplicationRuntime).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug").ToLowerInvariant();

    public string RepositoryRoot { get; } = repositoryRoot;

    public IProcessOutput Output { get; } = output;

    public IReadOnlyList<ResourceInstance> Instances => _instances;

    /// <summary>Completes with the first failure that stops the application from being whole.</summary>
    public Task<ResourceFailedException> FirstFailure => _firstFailure.Task;

    internal void Add(ResourceInstance instance) => _instances.Add(instance);

    /// <summary>Where a project's build output is (UseArtifactsOutput: artifacts/bin/&lt;project&gt;/&lt;configuration&gt;).</summary>
    public string ProjectOutputDirectory(string project) =>
        Path.Combine(RepositoryRoot, "artifacts", "bin", project, ConfigurationPivot);

    /// <summary>The URL other projects reach a service at (its first replica's).</summary>
    public string? ServiceUrl(ProjectResource service) =>
        _instances.OfType<ProjectInstance>().FirstOrDefault(i => i.Resource == service)?.Url;

    public IEnumerable<ResourceInstance> InstancesOf(Resource resource) => _instances.Where(i => i.Resource == resource);

    public Task WaitAsync(Wait wait)
    {
        var instances = InstancesOf(wait.Resource).ToList();
        return Task.WhenAll(instances.Select(i => wait.Behavior == WaitBehavior.UntilReady ? i.Ready : i.Completed));
    }

    public void StateChanged(ResourceInstance instance) => statusFile.Write(_instances.Select(i => i.Snapshot()).ToList());

    public void Failed(ResourceFailedException failure) => _firstFailure.TrySetResult(failure);
}
