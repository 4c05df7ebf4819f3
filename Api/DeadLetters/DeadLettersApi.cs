using AspireJobs.Api.Access;
using AspireJobs.Api.Http;
using AspireJobs.Api.Jobs;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AspireJobs.Api.DeadLetters;

/// <summary>
/// The dead-letter queue: jobs whose last allowed attempt failed, newest first, and their
/// requeueing (with their retries restored, and the dependents their failure cancelled waiting again).
/// </summary>
public static class DeadLettersApi
{
    public static IEndpointRouteBuilder MapDeadLetters(this IEndpointRouteBuilder app)
    {
        var deadLetters = app.MapGroup("/api/dead-letters").WithTags("Dead letters");
        deadLetters.MapGet("/", ListDeadLetters).WithName("ListDeadLetters")
            .WithSummary("List dead-lettered jobs, newest first").WithDescription("Pages follow nextCursor.");
        deadLetters.MapPost("/{id:guid}/requeue", Requeue).WithName("RequeueDeadLetter")
            .WithSummary("Requeue a dead-lettered job")
            .WithDescription("Its retries start over, and the jobs its failure cancelled wait for it again. 409 when it is not dead-lettered.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(ApiScope.Admin);
        return app;
    }

    private static async Task<Results<Ok<Page<JobResponse>>, ValidationProblem>> ListDeadLetters(
        string? limit, string? cursor, JobStore store, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var page = PageQuery.Read(limit, cursor, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var found = await store.JobListAsync(JobStatus.DeadLettered, null, page.Cursor, page.Limit, options.Value.MaxPageBytes, cancellationToken);
        return TypedResults.Ok(new Page<JobResponse>(found.Items.Select(JobResponse.From).ToList(), found.NextCursor));
    }

    private static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> Requeue(Guid id, DeadLetterRequeuer requeuer, CancellationToken cancellationToken) =>
        await requeuer.RequeueAsync(id, cancellationToken) switch
        {
            (var job, true) => TypedResults.Ok(JobResponse.From(job)),
            (var job, false) => Problems.Conflict("The job is not a dead letter.", $"Job {id} is {JobStatusText.Of(job.Status)}; only a dead-lettered job can be requeued."),
            null => Problems.JobNotFound(id),
        };
}
