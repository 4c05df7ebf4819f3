using AspireJobs.AppHost.Infrastructure;
using AspireJobs.LocalProcesses;

namespace AspireJobs.Tests.AppHost;

/// <summary>
/// The AppHost as a person runs it, refusing to start: a wrong command line or a missing
/// prerequisite ends it with exit code 2 and one line that names what to change, before any
/// server starts.
/// </summary>
public sealed class AppHostRefusalTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "aspirejobs-refusal-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task AWrongCommandLine_EndsWith2_AndOneLineWithTheUsage()
    {
        var (exitCode, output) = await RunAsync(["--infrastructure", "kubernetes"], new Dictionary<string, string?>());

        Assert.Equal(2, exitCode);
        var line = Assert.Single(Lines(output));
        Assert.StartsWith("apphost: --infrastructure must be auto, local or containers (was 'kubernetes').", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APostgresFolderWithoutItsPrograms_EndsWith2_AndOneLineNamingTheVariable()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_dataDirectory, "no-postgres")).FullName;

        var (exitCode, output) = await RunAsync(
            ["--infrastructure", "local"],
            new Dictionary<string, string?> { [ServerPrograms.PostgresBinVariable] = empty });

        Assert.Equal(2, exitCode);
        var line = Assert.Single(Lines(output));
        Assert.Equal($"apphost: {ServerPrograms.PostgresBinVariable} is {empty}, which holds no postgres program: point it at the folder with initdb and postgres.", line);
    }

    private async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyList<string> arguments, Dictionary<string, string?> environment)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await ManagedProcess.RunToEndAsync(
            new ProcessSpec(RepositoryRoot.ServiceExecutable("AppHost"), ["--data-dir", _dataDirectory, "--no-dashboard", "--api-port", "0", .. arguments], RepositoryRoot.Path, environment),
            timeout.Token);
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
