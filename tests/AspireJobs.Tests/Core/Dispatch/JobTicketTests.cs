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
        var start = new JobStart(job.Id, Guid.NewGuid(), 1_700_000_000_000_001, Guid.NewGuid(), Now, TimeSpan.FromSeconds(30));

        var started = JobTicket.Read(JobTicket.Of(job, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")!, start, Now)!;

        Assert.Equal((job.Id, "emails.send", Payload, 1, 0, 7, TimeSpan.FromSeconds(90), start.LeaseToken), (started.Id, started.Type, started.PayloadJson, started.Attempt, started.Failures, started.MaxRetries, started.Timeout, started.LeaseToken));
        Assert.Equal(TimeSpan.FromSeconds(2), started.Wait);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", started.TraceParent);
        Assert.Equal(start, started.Start);
    }

    [Fact]
    public void AJobWithoutTraceContext_HasNoneAfterTheTicket()
    {
        var job = NewJob("{}");
        var start = new JobStart(job.Id, Guid.NewGuid(), 1, Guid.NewGuid(), Now, TimeSpan.Zero);

        Assert.Null(JobTicket.Read(JobTicket.Of(job, null)!, start, Now)!.TraceParent);
    }

    [Fact]
    public void ALargePayload_GetsNoTicket_AndAnUnknownTicket_IsNotRead()
    {
        Assert.Null(JobTicket.Of(NewJob($"\"{new string('x', JobTicket.MaxPayloadLength)}\""), null));
        var start = new JobStart(Guid.NewGuid(), Guid.NewGuid(), 1, Guid.NewGuid(), Now, TimeSpan.Zero);
        Assert.Null(JobTicket.Read("2\nemails.send\n7\n90000\n0\n\n{}", start, Now));
        Assert.Null(JobTicket.Read("1\nemails.send\nseven\n90000\n0\n\n{}", start, Now));
    }
}
