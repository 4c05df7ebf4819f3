using AspireJobs.AppHost.Processes;

namespace AspireJobs.AppHost.Hosting;

/// <summary>One replica of a project, started from the project's build output.</summary>
public sealed class ProjectInstance(string name, string instanceId, ProjectResource resource, int? port, ApplicationRuntime runtime)
    : ProcessInstance(name, resource, runtime)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public override string Type => "project";

    /// <summary>The replica's id in telemetry (<c>service.instance.id</c>).</summary>
    public string InstanceId { get; } = instanceId;

    public int? Port { get; } = port;

    public string? Url => Port is { } p ? $"http://127.0.0.1:{p}" : null;

    public override IReadOnlyList<string> Endpoints => Url is { } url ? [url] : [];

    protected override bool RunsToCompletion => resource.RunsToCompletion;

    protected override TimeSpan StopGrace => resource.StopGrace;

    protected override ProcessSpec CreateProcessSpec()
    {
        var outputDirectory = Runtime.ProjectOutputDirectory(resource.ProjectDirectory);
        var executable = Path.Combine(outputDirectory, "AspireJobs." + resource.ProjectDirectory);
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} does not exist: build the solution first (dotnet build).");
        }

        var workingDirectory = Path.Combine(Runtime.RepositoryRoot, resource.ProjectDirectory);
        return new ProcessSpec(executable, [], workingDirectory, ProjectEnvironment.For(this, resource, Runtime));
    }

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        if (resource.HealthCheckPath is not { } path || Url is not { } url)
        {
            return true;
        }

        try
        {
            using var response = await Http.GetAsync(url + path, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
