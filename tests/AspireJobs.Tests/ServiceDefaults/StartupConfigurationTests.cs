using AspireJobs.ServiceDefaults;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AspireJobs.Tests.ServiceDefaults;

public sealed class StartupConfigurationTests
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void Require_NamesTheKey_WhenTheConnectionStringIsMissing()
    {
        var configuration = new ConfigurationBuilder().Build();

        var error = Assert.Throws<ConfigurationException>(() => ConnectionStrings.Require(configuration, "jobsdb"));

        Assert.Contains("ConnectionStrings:jobsdb", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not a connection string")]
    [InlineData("Port=5432;Username=postgres")]
    public void NpgsqlParse_NamesTheKey_WhenTheConnectionStringIsMalformed(string connectionString)
    {
        var error = Assert.Throws<ConfigurationException>(() => NpgsqlClient.Parse(connectionString, "jobsdb"));

        Assert.Contains("ConnectionStrings:jobsdb", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("password=secret")]
    [InlineData("localhost:6379,nosuchoption=1")]
    public void RedisParse_NamesTheKey_WhenTheConnectionStringIsMalformed(string connectionString)
    {
        var error = Assert.Throws<ConfigurationException>(() => RedisClient.Parse(connectionString, "redis"));

        Assert.Contains("ConnectionStrings:redis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RedisParse_KeepsRetrying_InsteadOfFailingTheFirstCall()
    {
        Assert.False(RedisClient.Parse("127.0.0.1:6379,password=x", "redis").AbortOnConnectFail);
    }

    [Fact]
    public void Explain_GivesOneLine_ForConfigurationErrors_AndNothingForOthers()
    {
        var validation = new OptionsValidationException("Worker", typeof(object), ["Worker:Concurrency must be between 1 and 10000 (was 0)."]);

        Assert.Equal("Worker:Concurrency must be between 1 and 10000 (was 0).", StartupFailure.Explain(validation));
        Assert.Equal("bad", StartupFailure.Explain(new InvalidOperationException("outer", new ConfigurationException("bad"))));
        Assert.Null(StartupFailure.Explain(new InvalidOperationException("a bug")));
    }

    [Fact]
    public void AMisspeltKeyInsideADictionaryOfOptions_IsNamed_NotOnlyTheSection()
    {
        // The binder wraps what went wrong inside a dictionary's entry in a message naming nothing.
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Api:Keys:ci:Key"] = "ci-key-0123456789", ["Api:Keys:ci:Scopes"] = "write",
        });

        var stop = Assert.Throws<ConfigurationException>(() => builder.AddValidatedOptions<AspireJobs.Api.ApiOptions>(AspireJobs.Api.ApiOptions.Section));

        Assert.Contains("Scopes", stop.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', stop.Message);
    }

    [Fact]
    public void AMisspeltDispatchKey_StopsTheService_NamingIt_RatherThanUsingTheDefaultPrefix()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Dispatch:KeyPrefx"] = "staging" });

        var stop = Assert.Throws<OptionsValidationException>(() => AspireJobs.Core.CoreServices.AddJobsCore(builder));

        var message = StartupFailure.Explain(stop)!;
        Assert.Contains("'Dispatch'", message, StringComparison.Ordinal);
        Assert.Contains("KeyPrefx", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public async Task Api_StopsWithOneLineNamingTheKey_WhenItsConnectionStringIsMissing()
    {
        var (exitCode, output) = await BuiltService.RunAsync("Api", new Dictionary<string, string?>
        {
            ["ConnectionStrings__jobsdb"] = null,
            ["ConnectionStrings__redis"] = null,
        }, ProcessTimeout);

        Assert.Equal(StartupFailure.ExitCode, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("ConnectionStrings:jobsdb is missing", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_StopsWithOneLineNamingTheKey_WhenAnOptionIsOutOfRange()
    {
        var (exitCode, output) = await BuiltService.RunAsync("Worker", new Dictionary<string, string?>
        {
            ["ConnectionStrings__jobsdb"] = "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z",
            ["ConnectionStrings__redis"] = "127.0.0.1:1,password=x",
            ["Worker__Concurrency"] = "0",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        }, ProcessTimeout);

        Assert.Equal(StartupFailure.ExitCode, exitCode);
        Assert.Contains("Worker:Concurrency must be between 1 and 10000 (was 0)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
