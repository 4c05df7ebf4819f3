using AspireJobs.Core.Workflows;
using System.Text.Json;
using AspireJobs.Api;
using AspireJobs.Api.Jobs;
using AspireJobs.Core.Jobs;

namespace AspireJobs.Tests.Api;

public sealed class JobRequestReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly JobRequestReader _reader = new(new ApiOptions { MaxPayloadBytes = 100 });

    private JobRequestResult Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return _reader.Read(document.RootElement, Now);
    }

    [Fact]
    public void Read_AppliesTheContractsDefaults()
    {
        var job = Read("""{"type":"noop"}""").Job!;

        // No priority: inherited from the parents when the job is planned, else the default.
        Assert.Equal(("{}", (int?)null, 5, TimeSpan.FromMinutes(5)), (job.PayloadJson, job.Priority, job.MaxRetries, job.Timeout));
        Assert.Equal(DependencyFailurePolicy.Cancel, job.OnDependencyFailure);
        Assert.Empty(job.DependsOn);
        Assert.Null(job.RunAt);
        Assert.Null(job.IdempotencyKey);
    }

    [Fact]
    public void Read_KeepsThePayloadExactly_AndEveryField()
    {
        var parent = Guid.NewGuid();
        var job = Read($$"""{"type":"a.b","payload":[1, {"z":true}],"priority":1,"maxRetries":0,"timeoutMs":86400000,"dependsOn":["{{parent}}","{{parent}}"],"runAt":"2030-01-01T10:00:00+02:00","idempotencyKey":"k"}""").Job!;

        Assert.Equal("""[1, {"z":true}]""", job.PayloadJson);
        Assert.Equal((1, 0, TimeSpan.FromDays(1), "k"), (job.Priority, job.MaxRetries, job.Timeout, job.IdempotencyKey));
        Assert.Equal([parent.ToString()], job.DependsOn);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 8, 0, 0, TimeSpan.Zero), job.RunAt);
    }

    [Theory]
    [InlineData("""{}""", "type")]
    [InlineData("""{"type":null}""", "type")]
    [InlineData("""{"type":5}""", "type")]
    [InlineData("""{"type":""}""", "type")]
    [InlineData("""{"type":"a b"}""", "type")]
    [InlineData("""{"type":"noop","priority":0}""", "priority")]
    [InlineData("""{"type":"noop","priority":6}""", "priority")]
    [InlineData("""{"type":"noop","priority":"5"}""", "priority")]
    [InlineData("""{"type":"noop","priority":2.5}""", "priority")]
    [InlineData("""{"type":"noop","maxRetries":26}""", "maxRetries")]
    [InlineData("""{"type":"noop","maxRetries":-1}""", "maxRetries")]
    [InlineData("""{"type":"noop","timeoutMs":0}""", "timeoutMs")]
    [InlineData("""{"type":"noop","timeoutMs":86400001}""", "timeoutMs")]
    [InlineData("""{"type":"noop","timeoutMs":1e20}""", "timeoutMs")]
    [InlineData("""{"type":"noop","dependsOn":"x"}""", "dependsOn")]
    [InlineData("""{"type":"noop","dependsOn":["not-a-uuid"]}""", "dependsOn")]
    [InlineData("""{"type":"noop","dependsOn":[1]}""", "dependsOn")]
    [InlineData("""{"type":"noop","runAt":"tomorrow"}""", "runAt")]
    [InlineData("""{"type":"noop","runAt":12}""", "runAt")]
    [InlineData("""{"type":"noop","idempotencyKey":""}""", "idempotencyKey")]
    [InlineData("""{"type":"noop","idempotencyKey":7}""", "idempotencyKey")]
    public void Read_NamesTheWrongField(string json, string field)
    {
        var result = Read(json);

        Assert.Null(result.Job);
        Assert.Equal([field], result.Errors.Keys);
        Assert.False(result.PayloadTooLarge);
    }

    [Fact]
    public void Read_ReportsEveryWrongField_AtOnce()
    {
        var result = Read("""{"type":"","priority":9,"maxRetries":"x","timeoutMs":-5}""");

        Assert.Equal(["maxRetries", "priority", "timeoutMs", "type"], result.Errors.Keys.Order());
    }

    [Fact]
    public void Read_FlagsAPayloadOverTheLimit()
    {
        var result = Read($$"""{"type":"noop","payload":"{{new string('x', 200)}}"}""");

        Assert.True(result.PayloadTooLarge);
        Assert.Contains("payload", result.Errors.Keys);
    }

    [Fact]
    public void Read_RefusesABodyThatIsNotAnObject() =>
        Assert.Contains("body", Read("[]").Errors.Keys);

    [Fact]
    public void Read_PrefixesErrors_ForAJobInABatch()
    {
        using var document = JsonDocument.Parse("""{"type":"noop","priority":7}""");

        var result = _reader.Read(document.RootElement, Now, "jobs[3].");

        Assert.Equal(["jobs[3].priority"], result.Errors.Keys);
    }

    [Fact]
    public void Read_GivesTimeOrderedIds()
    {
        var first = Read("""{"type":"noop"}""").Job!;
        var second = _reader.Read(JsonDocument.Parse("""{"type":"noop"}""").RootElement, Now.AddMilliseconds(5)).Job!;

        Assert.Equal(7, first.Id.Version);
        Assert.True(string.CompareOrdinal(first.Id.ToString(), second.Id.ToString()) < 0);
    }
}
