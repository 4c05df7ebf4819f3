using Aspire.Hosting;
using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Lifecycle;

namespace AspireJobs.Tests.AppHost;

public sealed class DataDirectoryLockTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aspirejobs-lock-").FullName;

    [Fact]
    public void ASecondAppHostOnADirectory_IsRefused_EvenBeforeTheFirstHasWrittenItsStateFile()
    {
        var first = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DisableDashboard = true });
        first.AddLifecycle(new AppHostRun(_directory, InfrastructureMode.Local));
        Assert.False(File.Exists(StatusFile.PathIn(_directory)));

        var second = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DisableDashboard = true });
        var refused = Assert.Throws<DataDirectoryInUseException>(() => second.AddLifecycle(new AppHostRun(_directory, InfrastructureMode.Local)));
        Assert.Contains(_directory, refused.Message, StringComparison.Ordinal);
        Assert.Contains("--data-dir", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDirectory_IsFreeAgain_OnceItsLockIsReleased()
    {
        var held = DataDirectoryLock.Acquire(_directory);
        Assert.Throws<DataDirectoryInUseException>(() => DataDirectoryLock.Acquire(_directory));

        held.Dispose();
        using var next = DataDirectoryLock.Acquire(_directory);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, DataDirectoryLock.FileName)));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
