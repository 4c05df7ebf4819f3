using System.Collections.Concurrent;
using AspireJobs.LocalProcesses;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// A service (Worker, HealthMonitor, Api) running as a real process from its build output, on a
/// free loopback port, with the environment an AppHost would give it. Stopped (SIGTERM, then
/// SIGKILL) on dispose.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly ConcurrentQueue<string> _output = new();
    private readonly ManagedProcess _process;

    private ServiceProcess(string project, int port, IReadOnlyDictionary<string, string?> environment)
    {
        Project = project;
        Url = new Uri($"http://127.0.0.1:{port}");
        var env = new Dictionary<string, string?>(environment)
        {
            ["ASPNETCORE_URLS"] = Url.ToString().TrimEnd('/'),
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["LOGGING__CONSOLE__FORMATTEROPTIONS__SINGLELINE"] = "true",
        };
        _process = ManagedProcess.Start(
            new ProcessSpec(RepositoryRoot.ServiceAsRun(project), [], Path.Combine(RepositoryRoot.Path, project), env), _output.Enqueue);
    }

    public string Project { get; }

    public Uri Url { get; }

    public int ProcessId => _process.Id;

    public Task<int> Exited => _process.Exited;

    /// <summary>Starts the service and waits until its /health answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(string project, IReadOnlyDictionary<string, string?> environment, TimeSpan? timeout = null)
    {
        var service = new ServiceProcess(project, FreePort.Next(), environment);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (service._process.Exited.IsCompleted)
            {
                throw new InvalidOperationException($"{project} exited with code {service._process.Exited.Result} while starting:{Environment.NewLine}{service.Output()}");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri(service.Url, "/health"));
                if (response.IsSuccessStatusCode)
                {
                    return service;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                await service.DisposeAsync();
                throw new TimeoutException($"{project} was not healthy in time:{Environment.NewLine}{service.Output()}");
            }

            await Task.Delay(100);
        }
    }

    public string Output(int lines = 60) => string.Join(Environment.NewLine, _output.TakeLast(lines));

    public bool Signal(int signal) => _process.Signal(signal);

    /// <summary>SIGTERM, as an orchestrator stops it; waits up to <paramref name="grace"/>, then kills.</summary>
    public Task<int> StopAsync(TimeSpan grace) => _process.StopAsync(PosixSignals.SIGTERM, grace);

    public async ValueTask DisposeAsync()
    {
        if (!_process.Exited.IsCompleted)
        {
            await _process.StopAsync(PosixSignals.SIGTERM, TimeSpan.FromSeconds(10));
        }
    }
}
