using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workflows;

namespace AspireJobs.Tests.Core.Dispatch;

public sealed class JobTicketTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static Job NewJob(string payload) => new(
        Guid.CreateVersion7(), "emails.send", JobStatus.Queued, 4, payload, null, null, 0, 7, TimeSpan.FromSeconds(90), [], null,
        Now.AddSeconds(-3), Now.AddSeconds(-2), null, null, 4, DependencyFailurePolicy.Cancel);

    [Fact]
    public void ATicket_GivesTheWorkerTheJobsFirstAttempt_PayloadKeptToTheCharacter()
    {
        const string Payload = "{\"to\":\"a@b.c\",\n \"body\":\"line one\\nline two\", \"n\": 1.50}";
        var job = NewJob(Payload);
        var lease = new JobLease(job.Id, 1_700_000_000_000_001);
        var workerId = Guid.NewGuid();

        var started = JobTicket.Read(JobTicket.Of(job, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")!, lease, workerId, Now, TimeSpan.FromSeconds(30))!;

        Assert.Equal((job.Id, "emails.send", Payload, 1, 0, 7, TimeSpan.FromSeconds(90)), (started.Id, started.Type, started.PayloadJson, started.Attempt, started.Failures, started.MaxRetries, started.Timeout));
        Assert.Equal(TimeSpan.FromSeconds(2), started.Wait);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", started.TraceParent);
        // Its start, to be written, is the first attempt's, under the lease's fence and a lease token of its own.
        Assert.Equal(new JobStart(job.Id, workerId, lease.Fence, 1, started.LeaseToken, Now, TimeSpan.FromSeconds(30)), started.Start);
        Assert.Equal(lease, started.Lease);
    }

    [Fact]
    public void AJobWithoutTraceContext_HasNoneAfterTheTicket()
    {
        var job = NewJob("{}");
        Assert.Null(JobTicket.Read(JobTicket.Of(job, null)!, new JobLease(job.Id, 1), Guid.NewGuid(), Now, TimeSpan.Zero)!.TraceParent);
    }

    [Fact]
    public void ALargePayload_GetsNoTicket_AndAnUnknownTicket_IsNotRead()
    {
        Assert.Null(JobTicket.Of(NewJob($"\"{new string('x', JobTicket.MaxPayloadLength)}\""), null));
        var lease = new JobLease(Guid.NewGuid(), 1);
        Assert.Null(JobTicket.Read("2\nemails.send\n7\n90000\n0\n\n{}", lease, Guid.NewGuid(), Now, TimeSpan.Zero));
        Assert.Null(JobTicket.Read("1\nemails.send\nseven\n90000\n0\n\n{}", lease, Guid.NewGuid(), Now, TimeSpan.Zero));
    }
}
