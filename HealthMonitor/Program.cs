using AspireJobs.HealthMonitor;
using AspireJobs.ServiceDefaults;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddJobsNpgsqlDataSource("jobsdb");
builder.AddJobsRedisClient("redis");
builder.AddHealthMonitor();

var app = builder.Build();

app.MapDefaultEndpoints();

app.RunUntilStopped();
