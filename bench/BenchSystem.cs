using AspireJobs.AppHost;
using AspireJobs.AppHost.Hosting;
using Npgsql;

namespace AspireJobs.Bench;

/// <summary>
/// The whole of AspireJobs started through the AppHost's model in a private data directory
/// (PostgreSQL with its default durability: synchronous_commit on), for one benchmark.
/// </summary>
public sealed class BenchSystem : IAsyncDisposable
{
    private readonly string _dataDirectory;

    private BenchSystem(DistributedApplication app, string dataDirectory)
    {
        App = app;
        _dataDirectory = dataDirectory;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = app.GetEndpoint("api") };
        var postgres = (PostgresServerResource)app.Instances.First(i => i.Resource is PostgresServerResource).Resource;
        Database = NpgsqlDataSource.Create(postgres.Server.ConnectionString("jobsdb"));
    }

    public DistributedApplication App { get; }

    public HttpClient Http { get; }

    public NpgsqlDataSource Database { get; }

    public IReadOnlyList<int> WorkerProcessIds => App.InstancesOf("worker").Select(w => w.ProcessId!.Value).ToList();

    public int HealthMonitorProcessId => App.InstancesOf("healthmonitor").Single().ProcessId!.Value;

    public static async Task<BenchSystem> StartAsync(int workers)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "aspirejobs-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_101_101); // PostgreSQL may run as another user

        var builder = new DistributedApplicationBuilder(new AppHostOptions(workers, ApiPort: 0, dataDirectory), RepositoryRoot.Find())
        {
            Output = new QuietOutput(),
        };
        builder.AddAspireJobs();
        var app = builder.Build();
        await app.StartAsync();
        foreach (var resource in new[] { "api", "worker", "healthmonitor" })
        {
            await app.WaitForResourceReadyAsync(resource).WaitAsync(TimeSpan.FromMinutes(3));
        }

        return new BenchSystem(app, dataDirectory);
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = Database.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Database.DisposeAsync();
        await App.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <summary>Resources' output is not part of the benchmark's.</summary>
    private sealed class QuietOutput : IProcessOutput
    {
        public void Write(string resourceName, string line)
        {
        }
    }
}
