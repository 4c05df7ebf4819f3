using AspireJobs.Api.Jobs;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workflows;

namespace AspireJobs.Tests.Api;

/// <summary>The tickets a create pushes with its jobs, and how long the push may add them.</summary>
public sealed class CreatedJobTicketsTests
{
    private static readonly DateTimeOffset CreatedAt = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TheJobsCreatedQueued_HaveTickets_AddedNoLaterThanATicketsLifetimeAfterTheEarliestWasCreated()
    {
        var requests = Enumerable.Range(0, 4).Select(_ => Request()).ToList();
        Job?[] created =
        [
            Created(requests[0], JobStatus.Queued, CreatedAt.AddMilliseconds(3)),
            Created(requests[1], JobStatus.Queued, CreatedAt),
            Created(requests[2], JobStatus.Waiting, CreatedAt.AddMilliseconds(-50)), // waits for a parent: pushed later, unticketed
            null, // an idempotency key repeated: not created here
        ];

        var tickets = JobCreator.TicketsOf(requests, created)!;

        Assert.Equal(new[] { requests[0].Id, requests[1].Id }.Order(), tickets.ByJob.Keys.Order());
        Assert.Equal(CreatedAt + JobTicket.Lifetime, tickets.AddBy);
    }

    [Fact]
    public void WithNoJobCreatedQueued_ThereAreNoTickets() =>
        Assert.Null(JobCreator.TicketsOf([Request()], [null]));

    private static NewJob Request() =>
        new(Guid.CreateVersion7(), "noop", "{}", 3, 3, TimeSpan.FromMinutes(5), [], null, null);

    private static Job Created(NewJob request, JobStatus status, DateTimeOffset createdAt) => new(
        request.Id, request.Type, status, request.Priority, request.PayloadJson, null, null, 0, request.MaxRetries, request.Timeout, [], null,
        createdAt, createdAt, null, null, request.Priority, DependencyFailurePolicy.Cancel);
}
