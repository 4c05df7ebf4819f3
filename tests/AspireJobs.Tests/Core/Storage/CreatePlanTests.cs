using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Core.Storage;

/// <summary>
/// The create of jobs without dependencies, the statement behind every single create, is planned
/// once per connection: under PostgreSQL's default plan choice its prepared statement settles on
/// the generic plan. Planning it afresh at each call cost over half a millisecond a create.
/// </summary>
public sealed class CreatePlanTests(TestServers servers) : IAsyncLifetime
{
    private TestDatabase _db = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _db = await servers.CreateDatabaseAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task OneJobCreatedAtATime_IsCreatedOnTheGenericPlan_OnceSettled()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Token);
        await using var transaction = await connection.BeginTransactionAsync(Token);
        await PreparedStatement.PrepareAsync(
            connection, "JobInsertBatchWithoutDependencies.sql",
            "uuid[], text[], text[], smallint[], json[], integer[], integer[], timestamptz[], text[], text[], timestamptz, text[]", Token);

        // PostgreSQL weighs the generic plan against five custom ones first.
        for (var call = 0; call < 8; call++)
        {
            await using var create = connection.CreateCommand();
            create.CommandText = $"EXECUTE {PreparedStatement.Name}"
                + "(ARRAY[gen_random_uuid()], '{noop}', '{queued}', '{3}', ARRAY['{}'::json], '{3}', '{30000}', "
                + "ARRAY[NULL::timestamptz], ARRAY[NULL::text], '{cancel}', now(), ARRAY[NULL::text])";
            await create.ExecuteNonQueryAsync(Token);
        }

        await using var plans = connection.CreateCommand();
        plans.CommandText = $"SELECT generic_plans FROM pg_prepared_statements WHERE name = '{PreparedStatement.Name}'";
        Assert.Equal(3L, await plans.ExecuteScalarAsync(Token));
    }
}
