using System.Text.Json;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// How PostgreSQL runs a statement of Core's on its generic plan, the one it may settle on for a
/// prepared statement whatever the parameters: every node of the plan, for a test to inspect.
/// </summary>
public static class GenericPlan
{
    /// <summary>The nodes of <paramref name="file"/>'s generic plan, taking parameters of <paramref name="parameterTypes"/>, explained for <paramref name="arguments"/>.</summary>
    public static Task<IReadOnlyList<JsonElement>> NodesAsync(
        TestDatabase db, string file, string parameterTypes, string arguments, CancellationToken cancellationToken) =>
        ExplainAsync(db, file, parameterTypes, arguments, "FORMAT JSON", cancellationToken);

    /// <summary>As <see cref="NodesAsync"/>, run (the statement's work is done, then rolled back), with each node's actual rows.</summary>
    public static Task<IReadOnlyList<JsonElement>> RunNodesAsync(
        TestDatabase db, string file, string parameterTypes, string arguments, CancellationToken cancellationToken) =>
        ExplainAsync(db, file, parameterTypes, arguments, "ANALYZE, FORMAT JSON", cancellationToken);

    private static async Task<IReadOnlyList<JsonElement>> ExplainAsync(
        TestDatabase db, string file, string parameterTypes, string arguments, string options, CancellationToken cancellationToken)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var generic = connection.CreateCommand())
        {
            generic.CommandText = "SET LOCAL plan_cache_mode = force_generic_plan";
            await generic.ExecuteNonQueryAsync(cancellationToken);
        }

        await PreparedStatement.PrepareAsync(connection, file, parameterTypes, cancellationToken);

        await using var explain = connection.CreateCommand();
        explain.CommandText = $"EXPLAIN ({options}) EXECUTE {PreparedStatement.Name}({arguments})";
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync(cancellationToken))!);
        return [.. Descendants(plan.RootElement[0].GetProperty("Plan")).Select(node => node.Clone())];
    }

    /// <summary>The tables <paramref name="nodes"/> read whole (a sequential scan), by name.</summary>
    public static IReadOnlyList<string> ScannedWhole(IEnumerable<JsonElement> nodes) =>
        [.. nodes.Where(node => node.GetProperty("Node Type").GetString() == "Seq Scan")
                 .Select(node => node.GetProperty("Relation Name").GetString()!)];

    private static IEnumerable<JsonElement> Descendants(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var descendant in children.EnumerateArray().SelectMany(Descendants))
            {
                yield return descendant;
            }
        }
    }
}
