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

    /// <summary>Whether its output so far holds <paramref name="text"/>.</summary>
    public bool Printed(string text) => _output.Any(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>Starts the service and waits until its /health answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(string project, IReadOnlyDictionary<string, string?> environment, TimeSpan? timeout = null)
    {
        var service = Launch(project, environment);
        try
        {
            await service.UntilHealthyAsync(timeout ?? TimeSpan.FromSeconds(60));
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the service without waiting for it (the caller disposes it).</summary>
    public static ServiceProcess Launch(string project, IReadOnlyDictionary<string, string?> environment) =>
        new(project, FreePort.Next(), environment);

    /// <summary>Waits until its /health answers 200; throws if it exits first, or is not healthy within <paramref name="timeout"/>.</summary>
    public async Task UntilHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.Exited.IsCompleted)
            {
                throw new InvalidOperationException($"{Project} exited with code {_process.Exited.Result} while starting:{Environment.NewLine}{Output()}");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri(Url, "/health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Project} was not healthy in time:{Environment.NewLine}{Output()}");
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
