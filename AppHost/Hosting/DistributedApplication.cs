using System.Runtime.InteropServices;
using AspireJobs.AppHost.Processes;

namespace AspireJobs.AppHost.Hosting;

/// <summary>
/// The running application: starts every instance (each waits for what it depends on), reports
/// their states, and stops them in the reverse of the order the model declared them.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly IReadOnlyList<Resource> _resources;
    private readonly ApplicationRuntime _runtime;
    private readonly string _statusFilePath;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _lifecycles = [];
    private int _stopped;

    internal DistributedApplication(IReadOnlyList<Resource> resources, ApplicationRuntime runtime, string statusFilePath)
    {
        _resources = resources;
        _runtime = runtime;
        _statusFilePath = statusFilePath;
    }

    public static DistributedApplicationBuilder CreateBuilder(string[] args)
    {
        var root = RepositoryRoot.Find();
        return new DistributedApplicationBuilder(AppHostOptions.Parse(args, root), root);
    }

    public IReadOnlyList<ResourceInstance> Instances => _runtime.Instances;

    /// <summary>Completes with the first failure that leaves the application incomplete.</summary>
    public Task<ResourceFailedException> Failure => _runtime.FirstFailure;

    public string StatusFilePath => _statusFilePath;

    /// <summary>Starts every instance; returns once they are launched, not once they are ready.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        Prerequisites.Check();
        await LeftoverProcesses.StopAsync(_statusFilePath, _runtime.Output);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var instance in _runtime.Instances)
        {
            _lifecycles.Add(Task.Run(() => instance.RunAsync(_stopping.Token), CancellationToken.None));
        }
    }

    /// <summary>Waits until every instance of a resource is ready; throws if one failed.</summary>
    public async Task WaitForResourceReadyAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        var instances = InstancesOf(resourceName);
        var ready = Task.WhenAll(instances.Select(i => i.Ready));
        if (await Task.WhenAny(ready, Failure).WaitAsync(cancellationToken) != ready)
        {
            throw await Failure;
        }

        await ready;
    }

    /// <summary>The HTTP endpoint of a project (its first replica's).</summary>
    public Uri GetEndpoint(string resourceName) =>
        InstancesOf(resourceName).OfType<ProjectInstance>().FirstOrDefault()?.Url is { } url
            ? new Uri(url)
            : throw new InvalidOperationException($"{resourceName} has no HTTP endpoint.");

    public IReadOnlyList<ResourceInstance> InstancesOf(string resourceName)
    {
        var instances = _runtime.Instances.Where(i => i.Resource.Name == resourceName).ToList();
        return instances.Count > 0 ? instances : throw new ArgumentException($"No resource named '{resourceName}'.", nameof(resourceName));
    }

    /// <summary>Stops every instance gracefully, projects first and servers last (reverse declaration order).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        foreach (var resource in _resources.Reverse())
        {
            await Task.WhenAll(_runtime.InstancesOf(resource).Select(i => i.StopAsync()));
        }

        await Task.WhenAll(_lifecycles).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>
    /// The command-line life: start, say where things are once they are up, run until Ctrl+C or
    /// SIGTERM (or a failure), then stop everything. Returns the process exit code.
    /// </summary>
    public async Task<int> RunAsync()
    {
        var shutdown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void RequestShutdown(PosixSignalContext context)
        {
            context.Cancel = true;
            shutdown.TrySetResult();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestShutdown);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestShutdown);

        await StartAsync();
        _ = AnnounceWhenReadyAsync();

        var exitCode = 0;
        if (await Task.WhenAny(shutdown.Task, Failure) == Failure)
        {
            Console.Error.WriteLine($"apphost: {(await Failure).Message}. Stopping everything.");
            exitCode = 1;
        }
        else
        {
            _runtime.Output.Write("apphost", "stopping (projects first, then Redis, then PostgreSQL)");
        }

        await StopAsync();
        _runtime.Output.Write("apphost", "stopped");
        return exitCode;
    }

    private async Task AnnounceWhenReadyAsync()
    {
        var running = _runtime.Instances.Where(i => i.Resource is not ProjectResource { RunsToCompletion: true }).ToList();
        var ready = Task.WhenAll(running.Select(i => i.Ready));
        await Task.WhenAny(ready, Failure);
        if (!ready.IsCompletedSuccessfully)
        {
            return;
        }

        var lines = new List<string> { "AspireJobs is running." };
        foreach (var project in _runtime.Instances.OfType<ProjectInstance>().Where(p => p.Url is not null && p.Resource.Name == "api"))
        {
            lines.Add($"  Api:       {project.Url}");
            lines.Add($"  Dashboard: {project.Url}/");
        }

        lines.Add($"  State:     {_statusFilePath}");
        lines.Add("  Ctrl+C stops everything.");
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }
}
