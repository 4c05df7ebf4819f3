using AspireJobs.Core;
using AspireJobs.ServiceDefaults;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("jobsdb");
builder.AddRedisClient("redis");
builder.Services.AddJobsCore();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
