using AspireJobs.Api.Access;
using AspireJobs.Api.Dashboard;
using AspireJobs.Api.DeadLetters;
using AspireJobs.Api.Health;
using AspireJobs.Api.Http;
using AspireJobs.Api.Jobs;
using AspireJobs.Api.Memory;
using AspireJobs.Api.OpenApi;
using AspireJobs.Api.Queues;
using AspireJobs.Api.Recovery;
using AspireJobs.Api.Snapshots;
using AspireJobs.Api.Workers;
using AspireJobs.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddJobsNpgsqlDataSource("jobsdb", sessionsKeepNoState: true);
builder.AddJobsRedisClient("redis");
builder.AddApiJson();
builder.AddProblemResponses();
builder.AddAccess();
builder.AddOpenApiDocument();
builder.AddJobs();
builder.AddExecutionMemory();
builder.AddDashboard();

var app = builder.Build();

app.UseSecurityHeaders();
app.UseEmptyQueryValuesAsAbsent();
app.UseProblemResponses();
app.UseAccess();
app.MapDefaultEndpoints();
app.MapOpenApiDocument();
app.MapJobs();
app.MapExecutionMemory();
app.MapDeadLetters();
app.MapQueues();
app.MapWorkers();
app.MapHealthAnalytics();
app.MapSnapshots();
app.MapRecovery();
app.MapDashboardLogin();
app.MapDashboard();

app.RunUntilStopped();
