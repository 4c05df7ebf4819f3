using AspireJobs.ServiceDefaults;
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
