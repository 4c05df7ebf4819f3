using AspireJobs.Indexer;
using AspireJobs.ServiceDefaults;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddJobsNpgsqlDataSource("jobsdb", sessionsKeepNoState: true);
builder.AddIndexer();

var app = builder.Build();

app.MapDefaultEndpoints();

app.RunUntilStopped();
