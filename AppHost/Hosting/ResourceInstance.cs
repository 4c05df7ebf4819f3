namespace AspireJobs.AppHost.Hosting;

/// <summary>
/// One running thing of the model: a server, a database on it, or one replica of a project.
/// It waits for its dependencies, starts, reports its state, and completes <see cref="Ready"/>
/// (and, for run-to-completion resources, <see cref="Completed"/>) for whoever waits on it.
/// </summary>
public abstract class ResourceInstance(string name, Resource resource, ApplicationRuntime runtime)
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    public Resource Resource { get; } = resource;

    public ResourceState State { get; private set; } = ResourceState.NotStarted;

    public HealthStatus Health { get; private set; } = HealthStatus.Unknown;

    public int? ProcessId { get; protected set; }

    public int Restarts { get; protected set; }

    public int? ExitCode { get; protected set; }

    public virtual IReadOnlyList<string> Endpoints => [];

    public abstract string Type { get; }

    /// <summary>Completes when the instance is ready to be used; faults if it never will be.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Completes when a run-to-completion instance exited 0; faults on any other end.</summary>
    public Task Completed => _completed.Task;

    protected ApplicationRuntime Runtime { get; } = runtime;

    /// <summary>The instance's whole life, until the application stops.</summary>
    public abstract Task RunAsync(CancellationToken stopping);

    /// <summary>Stops the instance gracefully (then forcibly).</summary>
    public abstract Task StopAsync();

    public ResourceSnapshot Snapshot() =>
        new(Name, Resource.Name, Type, State, Health, ProcessId, Endpoints, Restarts, ExitCode);

    protected void SetState(ResourceState state, HealthStatus? health = null)
    {
        State = state;
        Health = health ?? Health;
        Runtime.StateChanged(this);
    }

    protected void SetHealth(HealthStatus health)
    {
        if (Health != health)
        {
            Health = health;
            Runtime.StateChanged(this);
        }
    }

    protected void MarkReady() => _ready.TrySetResult();

    protected void MarkCompleted() => _completed.TrySetResult();

    protected void Fail(string reason)
    {
        var failure = new ResourceFailedException($"{Name}: {reason}");
        _ready.TrySetException(failure);
        _completed.TrySetException(failure);
        Runtime.Failed(failure);
    }

    /// <summary>Waits for everything the resource waits on; false (and FailedToStart) when one of them failed.</summary>
    protected async Task<bool> WaitForDependenciesAsync(CancellationToken stopping)
    {
        if (Resource.Waits.Count == 0)
        {
            return true;
        }

        SetState(ResourceState.Waiting);
        try
        {
            await Task.WhenAll(Resource.Waits.Select(wait => Runtime.WaitAsync(wait))).WaitAsync(stopping);
            return true;
        }
        catch (ResourceFailedException e)
        {
            SetState(ResourceState.FailedToStart);
            Fail($"not started, because {e.Message}");
            return false;
        }
    }
}
