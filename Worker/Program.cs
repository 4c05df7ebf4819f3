using AspireJobs.ServiceDefaults;
using AspireJobs.Worker;
using AspireJobs.Worker.Handlers;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("jobsdb", sessionsKeepNoState: true);
builder.AddRedisClient("redis");
builder.AddWorker();
builder.Services.AddBuiltInJobHandlers();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
