using System.Text.RegularExpressions;
using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Core.Storage;

/// <summary>
/// The statements that take jobs by id look each one up by its key, never by walking the entries
/// of a status in the status index: those that read, start or finish the jobs of a batch of Redis
/// leases, those the reconciler checks Redis's entries with, those that change one job, and the one
/// that settles the dependents of finished parents. Checked on the generic plan (Npgsql prepares
/// the statements run often, and PostgreSQL may settle on it), with the statistics of a quiet
/// moment and the queue of a drain: statistics taken when no job was queued made a condition on
/// the status look like one index entry, and a worker's every finishing statement then walked all
/// of a full queue's entries (16-31 ms for 64 jobs with 20,000 queued, against 3 by key); settling
/// one dependent with 20,000 others waiting took 19-36 ms, against 2-3 by key. The statements that
/// walk the graph (lock ancestors, lift priorities, find failed parents) are held to it too: joined,
/// each step of their walk read every waiting entry, and lifting the priorities of a chain of 1,000
/// took 4-5 s (bench/PERFORMANCE.md).
/// </summary>
public sealed class JobLookupPlanTests(TestServers servers) : IAsyncLifetime
{
    private TestDatabase _db = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await servers.CreateDatabaseAsync();
        var store = new JobStore(_db.DataSource, TimeProvider.System);
        await store.CompletedJobsAsync(2_000, "noop", Token);
        await _db.ExecuteAsync("ANALYZE jobs, job_executions, job_events, job_dependencies");
        // Kept from learning of the queue below, as between two of autovacuum's analyses.
        await _db.ExecuteAsync("ALTER TABLE jobs SET (autovacuum_enabled = false)");
        await store.JobInsertBatchAsync([.. Enumerable.Range(0, 2_000).Select(_ => TestJobs.New())], Token);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private const string Ids = "ARRAY[gen_random_uuid(), gen_random_uuid()]";

    private const string ById = @"\(id = ";

    [Theory]
    [InlineData("JobGetStartable.sql", "uuid[], bigint[]", $"{Ids}, ARRAY[1, 1]::bigint[]")]
    [InlineData("JobGetDispatchable.sql", "uuid[], timestamptz", $"{Ids}, NULL")]
    [InlineData("JobGetRunning.sql", "uuid[]", Ids)]
    [InlineData("JobGetUnrecordedLeased.sql", "uuid[], bigint[]", $"{Ids}, ARRAY[1, 1]::bigint[]")]
    [InlineData("JobSetRunningIfQueued.sql", "uuid[], uuid[], bigint[], uuid[], timestamptz[], interval[], integer[]",
        $"{Ids}, {Ids}, ARRAY[1, 1]::bigint[], {Ids}, ARRAY[now(), now()], ARRAY[interval '30 seconds', interval '30 seconds'], ARRAY[1, 1]")]
    [InlineData("JobStartAndFinishIfQueued.sql",
        "uuid[], uuid[], bigint[], timestamptz[], integer[], text[], text[], json[], text[], timestamptz[], integer[], integer[], text[], timestamptz, boolean",
        $"{Ids}, {Ids}, ARRAY[1, 1]::bigint[], ARRAY[now(), now()], ARRAY[1, 1], ARRAY['completed', 'completed'], ARRAY['completed', 'completed'], "
        + "ARRAY[NULL, NULL]::json[], ARRAY[NULL, NULL]::text[], ARRAY[NULL, NULL]::timestamptz[], ARRAY[0, 0], ARRAY[0, 0], ARRAY[NULL, NULL]::text[], now(), true")]
    [InlineData("JobSettleDependents.sql", "uuid[], uuid[], uuid[], timestamptz", $"{Ids}, {Ids}, NULL, now()")]
    [InlineData("JobLockAncestors.sql", "uuid[]", Ids)]
    [InlineData("JobSetEffectivePriority.sql", "uuid[]", Ids)]
    [InlineData("JobGetFailedParents.sql", "uuid[]", Ids)]
    [InlineData("JobGetGraphNodes.sql", "uuid[]", Ids)]
    [InlineData("JobFinishIfRunning.sql", "uuid[], uuid[], text[], text[], json[], text[], timestamptz[], integer[], integer[], text[], timestamptz, boolean",
        $"{Ids}, {Ids}, ARRAY['completed', 'completed'], ARRAY['completed', 'completed'], ARRAY[NULL, NULL]::json[], ARRAY[NULL, NULL]::text[], ARRAY[NULL, NULL]::timestamptz[], ARRAY[0, 0], ARRAY[0, 0], ARRAY[NULL, NULL]::text[], now(), false")]
    [InlineData("JobSetCancelRequestedIfRunning.sql", "uuid, timestamptz", "gen_random_uuid(), now()")]
    [InlineData("JobSetCancelledIfPending.sql", "uuid, timestamptz", "gen_random_uuid(), now()")]
    [InlineData("JobSetParkedIfQueued.sql", "uuid, text, timestamptz, bigint", "gen_random_uuid(), 'x', now(), 1")]
    [InlineData("JobSetScheduledIfQueued.sql", "uuid, interval, text, timestamptz, bigint", "gen_random_uuid(), interval '1 second', 'x', now(), 1")]
    [InlineData("JobSetQueuedIfDeadLettered.sql", "uuid, timestamptz", "gen_random_uuid(), now()")]
    [InlineData("JobSetPriorityIfUnfinished.sql", "uuid, smallint, timestamptz", "gen_random_uuid(), 3::smallint, now()")]
    public async Task TheGenericPlanFindsEachJobByItsKey_WithAFullQueueTheStatisticsDoNotKnowOf(string statement, string parameterTypes, string arguments)
    {
        var nodes = await GenericPlan.NodesAsync(_db, statement, parameterTypes, arguments, Token);

        // Each way into jobs is by key: an index condition on id (the key itself, or the status
        // index with both its columns), never the status alone with the ids left to a filter.
        var ways = nodes
            .Where(node => node.TryGetProperty("Index Name", out var index) && index.GetString()!.StartsWith("jobs_", StringComparison.Ordinal))
            .Select(node => (Index: node.GetProperty("Index Name").GetString()!,
                             Condition: node.TryGetProperty("Index Cond", out var condition) ? condition.GetString()! : ""))
            .ToList();
        Assert.NotEmpty(ways);
        Assert.All(ways, way => Assert.True(Regex.IsMatch(way.Condition, ById), $"{way.Index}: {way.Condition}"));
        Assert.DoesNotContain("jobs", GenericPlan.ScannedWhole(nodes));
    }
}
