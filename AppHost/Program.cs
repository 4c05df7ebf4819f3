using Microsoft.Extensions.Hosting;
using AspireJobs.AppHost;
using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Lifecycle;

AppHostOptions options;
try
{
    options = AppHostOptions.Parse(args);
}
catch (AppHostUsageException e)
{
    Console.Error.WriteLine($"apphost: {e.Message}");
    return 2;
}

var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
{
    Args = [.. options.AspireArgs],
    DisableDashboard = options.NoDashboard,
});

try
{
    builder.AddAspireJobs(options);
}
catch (Exception e) when (e is PrerequisiteMissingException or DataDirectoryInUseException)
{
    Console.Error.WriteLine($"apphost: {e.Message}");
    return 2;
}

await using var app = builder.Build();
await app.StartAsync();
var orchestrator = OrchestratorExit.FindSession(Environment.ProcessId);
await app.WaitForShutdownAsync();
OrchestratorExit.WaitForExit(orchestrator);
return 0;
