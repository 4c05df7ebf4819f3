using System.Net;
using AspireJobs.Checker;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Outages;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace AspireJobs.Tests.Core.Storage;

/// <summary>
/// A transaction whose COMMIT reached PostgreSQL but whose answer was lost with the connection
/// may have happened: it is not run again (a create would meet its own ids, a cancellation its
/// own work), and its caller hears of an outage, which the Api answers with 503; a finish, every
/// write of it guarded by a lease token, is run again and changes nothing. The checker's proxy
/// loses the commit's answer.
/// </summary>
public sealed class LostCommitReplyTests(TestServers servers) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestDatabase _db = null!;
    private ChaosProxy _proxy = null!;
    private NpgsqlDataSource _throughProxy = null!;
    private JobStore _store = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await servers.CreateDatabaseAsync();
        _proxy = new ChaosProxy("postgres") { Target = new IPEndPoint(IPAddress.Loopback, servers.Postgres.Port) };
        var connection = new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Port = _proxy.Port, SslMode = SslMode.Disable };
        _throughProxy = NpgsqlDataSource.Create(connection.ConnectionString);
        _store = new JobStore(_throughProxy, _clock);
    }

    public async ValueTask DisposeAsync()
    {
        await _throughProxy.DisposeAsync();
        await _proxy.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task ACreateWithADependency_WhoseCommitsAnswerWasLost_IsAnOutage_AndItsJobIsWrittenOnce()
    {
        var parent = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job.Id;
        var child = TestJobs.New(dependsOn: [parent]);

        _proxy.LoseTheAnswerToTheNext("COMMIT\0"u8);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => _store.JobInsertAsync(child, Token));

        Assert.Equal(1, _proxy.AnswersLost);
        Assert.True(ServerOutage.Of(failure) is not null, $"the Api would answer 500 to: {failure.GetType().Name}: {failure.Message}");
        Assert.Equal("waiting", await _db.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", child.Id));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_dependencies WHERE job_id = $1", child.Id));
    }

    [Fact]
    public async Task ACancellation_WhoseCommitsAnswerWasLost_IsAnOutage_NotAJobThatWasNotPending()
    {
        var job = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job.Id;

        _proxy.LoseTheAnswerToTheNext("COMMIT\0"u8);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => _store.JobSetCancelledIfPendingAsync(job, Token));

        Assert.Equal(1, _proxy.AnswersLost);
        Assert.True(ServerOutage.Of(failure) is not null, $"not an outage: {failure.GetType().Name}: {failure.Message}");
        Assert.Equal("cancelled", await _db.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", job));
    }

    [Fact]
    public async Task AFinish_WhoseCommitsAnswerWasLost_RunsAgain_ChangingNothing_AndAnswersForWhatWasNotInIt()
    {
        // Finished together: a job with a dependent (its own transaction, whose answer is lost)
        // and one without (a statement before it, already committed). Each finish is guarded by
        // its lease token, so the transaction's second run changes nothing.
        string[] types = ["noop"];
        var parent = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job.Id;
        var child = (await _store.JobInsertAsync(TestJobs.New(dependsOn: [parent]), Token)).Job.Id;
        var alone = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job.Id;
        var started = (await _store.StartNowAsync([parent, alone], Guid.NewGuid(), TimeSpan.FromSeconds(30), types, Token)).Started;
        var finishes = started.Select(job => JobFinish.Completed(job.Id, job.LeaseToken, "null")).ToList();

        _proxy.LoseTheAnswerToTheNext("COMMIT\0"u8);
        var result = await _store.JobFinishIfRunningAsync(finishes, Token);

        Assert.Equal(1, _proxy.AnswersLost);
        Assert.Equal([alone], result.Finished.Select(job => job.Id));
        Assert.Equal(["completed", "completed", "queued"], [
            await _db.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", parent),
            await _db.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", alone),
            await _db.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", child)]);
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE job_id = $1", parent));
    }
}
