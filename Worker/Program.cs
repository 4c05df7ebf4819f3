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

app.RunUntilStopped();
