using AspireJobs.AppHost;
using AspireJobs.AppHost.Hosting;
using AspireJobs.AppHost.Processes;

try
{
    var builder = DistributedApplication.CreateBuilder(args);
    builder.AddAspireJobs();
    await using var app = builder.Build();
    return await app.RunAsync();
}
catch (Exception e) when (e is AppHostUsageException or PrerequisiteMissingException or ResourceFailedException)
{
    Console.Error.WriteLine($"apphost: {e.Message}");
    return 2;
}
