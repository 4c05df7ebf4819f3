using AspireJobs.Core.Jobs;
using AspireJobs.Core.Storage;
using Npgsql;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// A statement of Core's prepared by name on one connection, as Npgsql prepares the statements
/// run often: so a test can ask PostgreSQL how it plans it, or run it as the services do.
/// </summary>
public static class PreparedStatement
{
    public const string Name = "statement";

    /// <summary>Prepares the statement in <paramref name="file"/> (a .sql file of Core's) as <see cref="Name"/>, taking parameters of <paramref name="parameterTypes"/>.</summary>
    public static async Task PrepareAsync(NpgsqlConnection connection, string file, string parameterTypes, CancellationToken cancellationToken)
    {
        var sql = EmbeddedFile.Read(typeof(JobStore).Assembly, file).TrimEnd().TrimEnd(';');
        await using var prepare = connection.CreateCommand();
        prepare.CommandText = $"PREPARE {Name}({parameterTypes}) AS {sql}";
        await prepare.ExecuteNonQueryAsync(cancellationToken);
    }
}
