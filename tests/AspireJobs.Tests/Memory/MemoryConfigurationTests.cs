using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AspireJobs.ServiceDefaults;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Qdrant.Client;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Memory;

/// <summary>Execution memory's configuration: bad values stop the service at start, in one line that names the key.</summary>
public sealed class MemoryConfigurationTests
{
    [Theory]
    [InlineData("Endpoint=http://qdrant:6334;Key=secret", "http://qdrant:6334/", "secret")]
    [InlineData("Endpoint=https://q.example:6334", "https://q.example:6334/", null)]
    [InlineData("http://localhost:6334", "http://localhost:6334/", null)]
    public void QdrantParse_ReadsTheEndpointAndKey_AsAspireWritesThem(string connectionString, string endpoint, string? key) =>
        Assert.Equal((new Uri(endpoint), key), QdrantClients.Parse(connectionString, "qdrant"));

    [Theory]
    [InlineData("Key=secret")]
    [InlineData("Endpoint=not a uri;Key=x")]
    [InlineData("Endpoint=ftp://host:6334")]
    [InlineData("=;;=")]
    public void QdrantParse_NamesTheKey_WhenTheConnectionStringIsWrong(string connectionString)
    {
        var error = Assert.Throws<ConfigurationException>(() => QdrantClients.Parse(connectionString, "qdrant"));

        Assert.StartsWith("ConnectionStrings:qdrant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheQdrantClient_GivesUpOnAQdrantThatNeverAnswers_AtItsDeadline()
    {
        // Takes connections and says nothing, as a paused Qdrant does.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await silent.AcceptSocketAsync());
            }
        }, TestContext.Current.CancellationToken);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:qdrant"] = $"Endpoint=http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        builder.AddJobsQdrantClient("qdrant");
        using var host = builder.Build();
        var client = host.Services.GetRequiredService<QdrantClient>();

        var clock = Stopwatch.StartNew();
        var call = client.CollectionExistsAsync("executions", TestContext.Current.CancellationToken);
        var ended = await Task.WhenAny(call, Task.Delay(QdrantClients.CallTimeout * 3, TestContext.Current.CancellationToken));

        Assert.True(ended == call, $"the call still waited after {clock.Elapsed.TotalSeconds:0} s");
        var failure = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
        accepted.ForEach(socket => socket.Dispose());
    }

    [Fact]
    public async Task Indexer_StopsWithOneLineNamingTheKey_WhenAnOptionIsOutOfRange()
    {
        var (exitCode, output) = await BuiltService.RunAsync("Indexer", new Dictionary<string, string?>
        {
            ["ConnectionStrings__jobsdb"] = "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z",
            ["Indexer__SuccessSampleRate"] = "2",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        }, TimeSpan.FromSeconds(60));

        Assert.Equal(StartupFailure.ExitCode, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Indexer:SuccessSampleRate must be between 0 and 1 (was 2)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_StopsWithOneLineNamingTheKey_WhenTheQdrantConnectionStringIsWrong()
    {
        var (exitCode, output) = await BuiltService.RunAsync("Api", new Dictionary<string, string?>
        {
            ["ConnectionStrings__jobsdb"] = "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z",
            ["ConnectionStrings__redis"] = "127.0.0.1:1,password=x",
            ["ConnectionStrings__qdrant"] = "Key=only-a-key",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        }, TimeSpan.FromSeconds(60));

        Assert.Equal(StartupFailure.ExitCode, exitCode);
        Assert.Contains("ConnectionStrings:qdrant names no http(s) Endpoint", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
