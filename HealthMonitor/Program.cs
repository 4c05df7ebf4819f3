using AspireJobs.HealthMonitor;
using AspireJobs.ServiceDefaults;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("jobsdb");
builder.AddRedisClient("redis");
builder.AddHealthMonitor();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
