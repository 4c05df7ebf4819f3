using Aspire.Hosting;
using AspireJobs.AppHost;
using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Infrastructure.LocalPostgres;
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

    [Fact]
    public void AStartWhoseModelCannotBeMade_LeavesTheDirectoryFree()
    {
        Assert.SkipUnless(Directory.Exists("/usr/lib/postgresql"), "Only a machine with PostgreSQL laid out by major version (Debian's packages) tells versions apart.");
        // A cluster made by a PostgreSQL that is not installed: the model stops at the server.
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101); // PostgreSQL may run as another user
        var cluster = new PostgresCluster(Path.Combine(_directory, "postgres"));
        Directory.CreateDirectory(cluster.DataDirectory);
        File.WriteAllText(Path.Combine(cluster.DataDirectory, "PG_VERSION"), "9\n");
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DisableDashboard = true });

        Assert.Throws<PrerequisiteMissingException>(() => builder.AddAspireJobs(
            AppHostOptions.Parse(["--data-dir", _directory, "--api-port", "0", "--infrastructure", "local"])));

        using var next = DataDirectoryLock.Acquire(_directory);
    }

    [Fact]
    public void AnAppHostStartedAgainOnADirectoryInUse_IsToldSo_NotThatTheFirstRunsApiPortIsTaken()
    {
        using var first = DataDirectoryLock.Acquire(_directory);
        using var firstRunsApi = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        firstRunsApi.Start();
        var port = ((System.Net.IPEndPoint)firstRunsApi.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DisableDashboard = true });

        Assert.Throws<DataDirectoryInUseException>(() => builder.AddAspireJobs(
            AppHostOptions.Parse(["--data-dir", _directory, "--api-port", port, "--infrastructure", "local"])));
    }

    [Fact]
    public void ContainersAskedFor_WithNoRuntimeThatAnswers_AreRefusedInOneLine_NamingTheOption()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DisableDashboard = true });
        builder.Configuration["DcpPublisher:ContainerRuntime"] = "no-such-container-runtime";

        var refused = Assert.Throws<AppHostUsageException>(() => builder.AddAspireJobs(
            AppHostOptions.Parse(["--data-dir", _directory, "--api-port", "0", "--infrastructure", "containers"])));

        Assert.StartsWith("--infrastructure containers: the container runtime 'no-such-container-runtime' does not answer", refused.Message, StringComparison.Ordinal);
        using var next = DataDirectoryLock.Acquire(_directory); // refused before the directory was taken
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
