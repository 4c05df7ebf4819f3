using Microsoft.AspNetCore.Builder;

namespace AspireJobs.ServiceDefaults;

/// <summary>
/// Runs a service so that a stop which arrives while it is still starting (a hosted service
/// waiting for a server, or warming up) ends the process cleanly, with exit code 0, rather than as
/// an unhandled cancellation from the host's start.
/// </summary>
public static class StoppableRun
{
    public static void RunUntilStopped(this WebApplication app)
    {
        // Read before the run: once a failed start has disposed the host, its services cannot be resolved.
        var stopping = app.Lifetime.ApplicationStopping;
        try
        {
            app.Run();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while it was starting: a clean stop, not a crash.
        }
    }
}
