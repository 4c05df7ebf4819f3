using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Checker;

/// <summary>
/// The checker's reading of every job's history (CheckerInvariants.sql) against a real database:
/// each broken shape planted is reported, and healthy histories are not. A query that silently
/// found nothing would let the checker pass whatever the system did.
/// </summary>
public sealed class CheckerInvariantsTests(TestServers servers) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private JobStore _jobs = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await servers.CreateDatabaseAsync();
        _jobs = new JobStore(_db.DataSource, TimeProvider.System);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<Dictionary<Guid, string>> ProblemsAsync()
    {
        await using var command = _db.DataSource.CreateCommand(AspireJobs.Checker.LossChecker.InvariantsSql);
        await using var reader = await command.ExecuteReaderAsync(Token);
        var problems = new Dictionary<Guid, string>();
        while (await reader.ReadAsync(Token))
        {
            problems[reader.GetGuid(0)] = reader.GetString(1);
        }

        return problems;
    }

    [Fact]
    public async Task EachBrokenHistory_IsReported_AndNoHealthyOne()
    {
        var healthy = await _jobs.CompletedJobsAsync(3, "record", Token);
        var queued = (await _jobs.JobInsertAsync(TestJobs.New(type: "record"), Token)).Job.Id;
        var broken = await _jobs.CompletedJobsAsync(3, "record", Token);
        var stuck = (await _jobs.JobInsertAsync(TestJobs.New(type: "record"), Token)).Job.Id;

        // Completed by two attempts.
        await _db.ExecuteAsync("INSERT INTO job_executions (job_id, attempt, worker_id, status, started_at, finished_at) VALUES ($1, 2, gen_random_uuid(), 'completed', now(), now())", broken[0]);
        await _db.ExecuteAsync("UPDATE jobs SET attempts = 2 WHERE id = $1", broken[0]);
        // An attempt counted that left no execution.
        await _db.ExecuteAsync("UPDATE jobs SET attempts = 2 WHERE id = $1", broken[1]);
        // Completed in its row, with no completed execution.
        await _db.ExecuteAsync("UPDATE job_executions SET status = 'abandoned' WHERE job_id = $1", broken[2]);
        // Queued, with its attempt still running.
        await _db.ExecuteAsync("INSERT INTO job_executions (job_id, attempt, worker_id, status, started_at) VALUES ($1, 1, gen_random_uuid(), 'running', now())", stuck);
        await _db.ExecuteAsync("UPDATE jobs SET attempts = 1 WHERE id = $1", stuck);

        var problems = await ProblemsAsync();

        Assert.Equal("completed 2 times", problems[broken[0]]);
        Assert.Equal("attempts 2, but 1 executions numbered up to 1", problems[broken[1]]);
        Assert.Equal("status completed with 0 completed executions", problems[broken[2]]);
        Assert.Equal("status queued with an attempt still running", problems[stuck]);
        Assert.Equal(4, problems.Count);
        Assert.DoesNotContain(queued, problems.Keys);
        Assert.All(healthy, id => Assert.DoesNotContain(id, problems.Keys));
    }
}
