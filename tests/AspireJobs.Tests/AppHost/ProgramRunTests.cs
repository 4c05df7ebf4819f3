using AspireJobs.AppHost.Infrastructure;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.AppHost;

/// <summary>The AppHost's one-off checks (<c>id</c>, <c>test</c>, <c>postgres --version</c>) answer, and one that hangs stops its start in one line rather than hold it.</summary>
public sealed class ProgramRunTests
{
    [Fact]
    public void AChecksAnswer_IsItsExitCode_AndItsOutput()
    {
        Assert.True(ProgramRun.Succeeds("true", []));
        Assert.False(ProgramRun.Succeeds("false", []));
        Assert.Equal("17.2\n", ProgramRun.OutputOrNull("echo", ["17.2"]));
        Assert.Null(ProgramRun.OutputOrNull("sh", ["-c", "echo 17.2; exit 1"]));
        Assert.Null(ProgramRun.OutputOrNull("/nonexistent/postgres", ["--version"]));
    }

    [Fact]
    public void ACheckThatHangs_IsKilled_AndStopsTheStart_NamingIt()
    {
        // A length of sleep no other process on the machine has, to find this one by.
        var seconds = $"600.{Random.Shared.Next(100_000, 999_999)}";

        var error = Assert.Throws<PrerequisiteMissingException>(() => ProgramRun.Succeeds("sleep", [seconds], TimeSpan.FromSeconds(1)));

        Assert.StartsWith($"'sleep {seconds}' did not answer within 1 s;", error.Message, StringComparison.Ordinal);

        Assert.Empty(TestLeftovers.ProcessesNaming(seconds));
    }
}
