using AspireJobs.Core.Storage;
using Npgsql;

namespace AspireJobs.Worker.Handlers;

/// <summary>
/// Records its attempt as an effect in <c>job_effects</c> (idempotently: a row per job and
/// attempt) and succeeds with <c>{ attempt }</c>. The loss-and-duplication checker's workload:
/// after any fault, every acknowledged job must have an effect, and the attempt in its result
/// (written only by the fenced finish) must be one that recorded one.
/// </summary>
public sealed class RecordHandler(NpgsqlDataSource database, TimeProvider clock) : IJobHandler<System.Text.Json.JsonElement, RecordHandler.Result>
{
    private static readonly string Sql = EmbeddedFile.Read(typeof(RecordHandler).Assembly, "RecordEffect.sql");

    public sealed record Result(int Attempt);

    public async Task<Result> HandleAsync(System.Text.Json.JsonElement payload, JobContext context, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = context.JobId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = context.Attempt });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = context.WorkerId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = clock.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new Result(context.Attempt);
    }
}
