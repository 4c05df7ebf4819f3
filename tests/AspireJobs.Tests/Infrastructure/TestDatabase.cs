using Npgsql;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>A database of a test's own on the shared test server; dropped (forcibly) on dispose.</summary>
public sealed class TestDatabase(TestServers servers, string name) : IAsyncDisposable
{
    public string Name { get; } = name;

    public string ConnectionString { get; } = servers.Postgres.ConnectionString(name);

    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(servers.Postgres.ConnectionString(name));

    /// <summary>Runs one SQL statement and returns the first column of the first row.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await servers.Postgres.DropDatabaseAsync(Name);
    }
}
