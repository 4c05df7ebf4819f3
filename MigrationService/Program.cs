using AspireJobs.MigrationService;
using AspireJobs.ServiceDefaults;

var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddJobsNpgsqlDataSource("jobsdb");
builder.AddValidatedOptions<MigrationOptions>(MigrationOptions.Section);

builder.Services.AddSingleton<Migrator>();
builder.Services.AddHostedService<MigrationWorker>();

builder.Build().Run();
