using AspireJobs.AppHost;

namespace AspireJobs.Tests.AppHost;

public sealed class AppHostOptionsTests
{
    [Fact]
    public void Parse_GivesTheDocumentedDefaults()
    {
        var options = AppHostOptions.Parse([], "/repo");

        Assert.Equal(new AppHostOptions(2, 5080, "/repo/.aspirejobs"), options);
    }

    [Fact]
    public void Parse_ReadsEveryOption()
    {
        var options = AppHostOptions.Parse(["--workers", "5", "--api-port", "0", "--data-dir", "/tmp/x"], "/repo");

        Assert.Equal(new AppHostOptions(5, 0, "/tmp/x"), options);
    }

    [Theory]
    [InlineData("--workers", "0")]
    [InlineData("--workers", "65")]
    [InlineData("--workers", "two")]
    [InlineData("--api-port", "70000")]
    [InlineData("--api-port")]
    [InlineData("--wrokers", "2")]
    public void Parse_RefusesWithTheUsage_WhenAnArgumentIsWrong(params string[] args)
    {
        var error = Assert.Throws<AppHostUsageException>(() => AppHostOptions.Parse(args, "/repo"));

        Assert.Contains(args[0], error.Message, StringComparison.Ordinal);
        Assert.Contains("usage:", error.Message, StringComparison.Ordinal);
    }
}
