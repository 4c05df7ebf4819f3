using AspireJobs.Api.Http;
using AspireJobs.Api.Jobs;
using AspireJobs.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("jobsdb");
builder.AddRedisClient("redis");
builder.AddApiJson();
builder.AddProblemResponses();
builder.AddJobs();

var app = builder.Build();

app.UseProblemResponses();
app.MapDefaultEndpoints();
app.MapJobs();

app.Run();
