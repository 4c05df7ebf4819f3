using AspireJobs.Api.Http;
using AspireJobs.Core;
using AspireJobs.Core.Jobs;
using AspireJobs.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AspireJobs.Api.Jobs;

/// <summary>The job routes of the contract: create one, read one.</summary>
public static class JobsApi
{
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ApiOptions>(ApiOptions.Section);
        builder.Services.AddJobsCore();
        builder.Services.AddSingleton(services => new JobRequestReader(services.GetRequiredService<IOptions<ApiOptions>>().Value));
        builder.Services.AddSingleton<JobCreator>();
        return builder;
    }

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs").WithTags("Jobs");
        var limits = app.ServiceProvider.GetRequiredService<IOptions<ApiOptions>>().Value;

        jobs.MapPost("/", CreateJob)
            .WithMetadata(new RequestSizeLimitAttribute(limits.MaxSingleRequestBytes));
        jobs.MapGet("/{id:guid}", GetJob);

        return app;
    }

    private static async Task<Results<Created<JobResponse>, Ok<JobResponse>, ValidationProblem, ProblemHttpResult>> CreateJob(
        HttpRequest request, JobRequestReader reader, JobCreator creator, TimeProvider clock, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        using var document = body.Document!;
        var read = reader.Read(document.RootElement, clock.GetUtcNow());
        if (read.Job is not { } newJob)
        {
            return read.PayloadTooLarge
                ? TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The payload is too large.", extensions: new Dictionary<string, object?> { ["errors"] = read.Errors })
                : TypedResults.ValidationProblem(read.Errors);
        }

        try
        {
            var created = await creator.CreateAsync(newJob, cancellationToken);
            var response = JobResponse.From(created.Job);
            return created.Created ? TypedResults.Created($"/api/jobs/{response.Id}", response) : TypedResults.Ok(response);
        }
        catch (UnknownDependencyException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["dependsOn"] = ["Every job in dependsOn must exist."],
            });
        }
    }

    private static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> GetJob(Guid id, JobStore store, CancellationToken cancellationToken) =>
        await store.JobGetByIdAsync(id, cancellationToken) is { } job
            ? TypedResults.Ok(JobResponse.From(job))
            : NotFound(id);

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such job.", detail: $"There is no job {id}.");
}
