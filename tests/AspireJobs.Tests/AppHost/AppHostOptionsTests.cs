using AspireJobs.AppHost;
using AspireJobs.AppHost.Infrastructure;

namespace AspireJobs.Tests.AppHost;

public sealed class AppHostOptionsTests
{
    [Fact]
    public void Parse_GivesTheDocumentedDefaults()
    {
        var options = AppHostOptions.Parse([]);

        Assert.Equal((2, 5080, (string?)null, false, InfrastructureMode.Auto), (options.Workers, options.ApiPort, options.DataDirectory, options.NoDashboard, options.Infrastructure));
        Assert.Empty(options.AspireArgs);
    }

    [Fact]
    public void Parse_ReadsEveryOption()
    {
        var options = AppHostOptions.Parse(["--workers", "5", "--api-port=0", "--data-dir", "/tmp/x", "--no-dashboard", "--infrastructure", "local"]);

        Assert.Equal((5, 0, "/tmp/x", true, InfrastructureMode.Local), (options.Workers, options.ApiPort, options.DataDirectory, options.NoDashboard, options.Infrastructure));
    }

    [Fact]
    public void Parse_PassesAspiresOwnSwitchesThrough()
    {
        var options = AppHostOptions.Parse(["--publisher", "manifest", "--workers", "3", "--output-path=m.json", "--yes"]);

        Assert.Equal(["--publisher", "manifest", "--output-path=m.json", "--yes"], options.AspireArgs);
        Assert.Equal(3, options.Workers);
    }

    [Fact]
    public void ThrowIfApiPortInUse_NamesThePortAndTheOption_WhenSomethingListensThere()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var error = Assert.Throws<AppHostUsageException>(() => AppHostOptions.Parse(["--api-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ThrowIfApiPortInUse());

        Assert.Contains($"Port {port} is already in use", error.Message, StringComparison.Ordinal);
        Assert.Contains("--api-port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThrowIfDataDirectoryUnusable_NamesTheDirectoryAndTheOption_WhenItIsAFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<AppHostUsageException>(() => AppHostOptions.ThrowIfDataDirectoryUnusable(file));

            Assert.Contains($"--data-dir {file} cannot be used", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ThrowIfDataDirectoryUnusable_MakesADirectoryThatIsNotThereYet()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aspirejobs-data-" + Guid.NewGuid().ToString("N")[..8], "nested");

        AppHostOptions.ThrowIfDataDirectoryUnusable(directory);

        Assert.True(Directory.Exists(directory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
        Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);
    }

    [Theory]
    [InlineData("--workers", "0")]
    [InlineData("--workers", "65")]
    [InlineData("--workers", "two")]
    [InlineData("--api-port", "70000")]
    [InlineData("--api-port")]
    [InlineData("--infrastructure", "docker")]
    [InlineData("--data-dir=")]
    [InlineData("--data-dir", "--no-dashboard")]
    [InlineData("--workers", "--api-port", "5081")]
    [InlineData("--no-dashboard=false")]
    [InlineData("--wrokers", "2")]
    public void Parse_RefusesWithTheUsage_WhenAnArgumentIsWrong(params string[] args)
    {
        var error = Assert.Throws<AppHostUsageException>(() => AppHostOptions.Parse(args));

        Assert.Contains(args[0].Split('=')[0], error.Message, StringComparison.Ordinal);
        Assert.Contains("usage:", error.Message, StringComparison.Ordinal);
    }
}
