using AspireJobs.AppHost.Processes;

namespace AspireJobs.AppHost.Hosting;

/// <summary>
/// An instance backed by one OS process. It starts the process, waits until it is ready, and
/// when the process exits on its own either finishes (run to completion) or restarts it after a
/// backoff that doubles up to 30 s and resets once a run lasted a minute.
/// </summary>
public abstract class ProcessInstance(string name, Resource resource, ApplicationRuntime runtime)
    : ResourceInstance(name, resource, runtime)
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StableRun = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ReadyPoll = TimeSpan.FromMilliseconds(100);
    private const int MaxStartsWithoutReady = 5;

    private ManagedProcess? _process;

    protected virtual bool RunsToCompletion => false;

    /// <summary>The signal that asks this kind of process to shut down cleanly.</summary>
    protected virtual int StopSignal => PosixSignals.SIGTERM;

    protected virtual TimeSpan StopGrace => TimeSpan.FromSeconds(30);

    /// <summary>One-time work before the first start (directories, secrets, initdb).</summary>
    protected virtual Task PrepareAsync(CancellationToken stopping) => Task.CompletedTask;

    protected abstract ProcessSpec CreateProcessSpec();

    /// <summary>Whether the started process is ready (accepts connections, answers its health check).</summary>
    protected abstract Task<bool> IsReadyAsync(CancellationToken cancellationToken);

    /// <summary>Work after each time the process became ready (creating databases).</summary>
    protected virtual Task OnReadyAsync(CancellationToken stopping) => Task.CompletedTask;

    public sealed override async Task RunAsync(CancellationToken stopping)
    {
        if (!await WaitForDependenciesAsync(stopping))
        {
            return;
        }

        try
        {
            await PrepareAsync(stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SetState(ResourceState.FailedToStart);
            Fail(e.Message);
            return;
        }

        var backoff = FirstBackoff;
        var startsWithoutReady = 0;
        while (!stopping.IsCancellationRequested)
        {
            SetState(ResourceState.Starting, HealthStatus.Unknown);
            var started = DateTime.UtcNow;
            try
            {
                _process = ManagedProcess.Start(CreateProcessSpec(), line => Runtime.Output.Write(Name, line));
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                SetState(ResourceState.FailedToStart);
                Fail($"could not start: {e.Message}");
                return;
            }

            ProcessId = _process.Id;
            ExitCode = null;
            SetState(ResourceState.Starting);

            var ready = await WaitUntilReadyAsync(_process, stopping);
            if (ready)
            {
                startsWithoutReady = 0;
                await OnReadyAsync(stopping);
                SetState(ResourceState.Running, HealthStatus.Healthy);
                MarkReady();
                _ = WatchHealthAsync(_process, stopping);
            }

            int exitCode;
            try
            {
                exitCode = await _process.Exited.WaitAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                return; // StopAsync owns the process from here.
            }

            ExitCode = exitCode;
            if (RunsToCompletion)
            {
                if (exitCode == 0)
                {
                    SetState(ResourceState.Finished);
                    MarkCompleted();
                }
                else
                {
                    SetState(ResourceState.Exited);
                    Fail($"exited with code {exitCode}");
                }

                return;
            }

            SetState(ResourceState.Exited, HealthStatus.Unhealthy);
            if (!ready && ++startsWithoutReady >= MaxStartsWithoutReady)
            {
                SetState(ResourceState.FailedToStart);
                Fail($"exited {MaxStartsWithoutReady} times without becoming ready (last exit code {exitCode})");
                return;
            }

            backoff = DateTime.UtcNow - started > StableRun ? FirstBackoff : backoff;
            Runtime.Output.Write(Name, $"[apphost] exited with code {exitCode}; restarting in {backoff.TotalSeconds:0} s");
            try
            {
                await Task.Delay(backoff, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            Restarts++;
        }
    }

    public sealed override async Task StopAsync()
    {
        if (_process is not { } process || process.Exited.IsCompleted)
        {
            if (State is not (ResourceState.Finished or ResourceState.FailedToStart or ResourceState.Exited))
            {
                SetState(ResourceState.Stopped);
            }

            return;
        }

        SetState(ResourceState.Stopping);
        ExitCode = await process.StopAsync(StopSignal, StopGrace);
        SetState(ResourceState.Stopped, HealthStatus.Unknown);
    }

    /// <summary>Polls readiness until it holds, the process exits, or the ready timeout passes (then kills it).</summary>
    private async Task<bool> WaitUntilReadyAsync(ManagedProcess process, CancellationToken stopping)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (!process.Exited.IsCompleted && !stopping.IsCancellationRequested)
        {
            if (await IsReadyAsync(stopping))
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                Runtime.Output.Write(Name, $"[apphost] not ready after {ReadyTimeout.TotalMinutes:0} minutes; killing it");
                process.Signal(PosixSignals.SIGKILL);
                return false;
            }

            try
            {
                await Task.WhenAny(process.Exited, Task.Delay(ReadyPoll, stopping));
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Keeps the reported health current while the process runs.</summary>
    private async Task WatchHealthAsync(ManagedProcess process, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping) && !process.Exited.IsCompleted)
            {
                var healthy = await IsReadyAsync(stopping);
                if (!process.Exited.IsCompleted && State == ResourceState.Running)
                {
                    SetHealth(healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The application is stopping.
        }
    }
}
