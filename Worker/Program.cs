using AspireJobs.ServiceDefaults;
using AspireJobs.Worker;
using AspireJobs.Worker.Handlers;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddJobsNpgsqlDataSource("jobsdb", sessionsKeepNoState: true);
builder.AddJobsRedisClient("redis");
builder.AddWorker();
builder.Services.AddBuiltInJobHandlers();

var app = builder.Build();

app.MapDefaultEndpoints();

// Read before the run: once a failed start has disposed the host, its services cannot be resolved.
var stopping = app.Lifetime.ApplicationStopping;
try
{
    app.Run();
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    // Stopped while it was starting (waiting for Redis to take its first heartbeat): a clean stop, not a crash.
}
