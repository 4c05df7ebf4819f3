using AspireJobs.AppHost;
using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Infrastructure.LocalPostgres;
using AspireJobs.AppHost.Lifecycle;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

try
{
    var options = AppHostOptions.Parse(args);
    var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
    {
        Args = [.. options.AspireArgs],
        DisableDashboard = options.NoDashboard,
        // Without a dashboard the AppHost's console is the only place a resource's output can be
        // read, a server's reason for failing included.
        EnableResourceLogging = options.NoDashboard,
    });
    builder.AddAspireJobs(options);

    await using var app = builder.Build();
    try
    {
        await app.StartAsync();
    }
    catch (OperationCanceledException) when (app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested)
    {
        // Ctrl+C before everything was up: the start gives up, and what did start stops below,
        // as on any stop.
        Console.Error.WriteLine("apphost: stopped while starting; stopping what had started.");
    }

    var orchestrator = OrchestratorExit.FindSession(Environment.ProcessId);
    await app.WaitForShutdownAsync();
    // Everything is stopped; DCP's own processes follow within seconds. Leave nothing behind.
    OrchestratorExit.WaitForExit(orchestrator);
    return 0;
}
catch (Exception e) when (e is AppHostUsageException or PrerequisiteMissingException or DataDirectoryInUseException or DataDirectoryUnreachableException)
{
    Console.Error.WriteLine($"apphost: {e.Message}");
    return 2;
}
