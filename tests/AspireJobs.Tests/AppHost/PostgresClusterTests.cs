using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Infrastructure.LocalPostgres;
using AspireJobs.LocalProcesses;

namespace AspireJobs.Tests.AppHost;

/// <summary>The local cluster's directory, as the AppHost checks it before anything starts.</summary>
public sealed class PostgresClusterTests : IDisposable
{
    private readonly string _parent = Path.Combine(Path.GetTempPath(), "aspirejobs-cluster-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void ThrowIfUnreachableByServer_NamesTheDirectory_WhenAParentIsClosedToThePostgresUser()
    {
        Assert.SkipUnless(ServerPrograms.IsRoot, "Only an AppHost run as root hands PostgreSQL to another user.");
        Directory.CreateDirectory(_parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var cluster = new PostgresCluster(Path.Combine(_parent, "data", "postgres"));

        var error = Assert.Throws<DataDirectoryUnreachableException>(cluster.ThrowIfUnreachableByServer);

        Assert.Contains(cluster.Directory, error.Message);
        Assert.Contains("--data-dir", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ThrowIfUnreachableByServer_Passes_WhenThePathIsOpen()
    {
        Directory.CreateDirectory(_parent, (UnixFileMode)0b111_101_101);
        var cluster = new PostgresCluster(Path.Combine(_parent, "data", "postgres"));

        cluster.ThrowIfUnreachableByServer(); // the cluster's own directory is not there yet: only the way to it counts
    }

    [Fact]
    public void TheServerOfAClusterThatExists_IsOfTheMajorVersionThatMadeIt_AndANewClustersTheNewest()
    {
        IReadOnlyList<(int Version, string Bin)> installed = [(15, "/usr/lib/postgresql/15/bin"), (17, "/usr/lib/postgresql/17/bin")];

        Assert.Equal("/usr/lib/postgresql/15/bin", ServerPrograms.DebianBinFor(installed, "15\n"));
        Assert.Equal("/usr/lib/postgresql/17/bin", ServerPrograms.DebianBinFor(installed, clusterVersion: null));
        Assert.Null(ServerPrograms.DebianBinFor(installed, "16"));
    }

    [Fact]
    public void AClusterMadeByAVersionNotInstalled_StopsTheStart_InOneLineThatSaysWhatToInstall()
    {
        Assert.SkipUnless(Directory.Exists("/usr/lib/postgresql"), "Only a machine with PostgreSQL laid out by major version (Debian's packages) tells versions apart.");
        var cluster = new PostgresCluster(Path.Combine(_parent, "postgres"));
        Directory.CreateDirectory(cluster.DataDirectory);
        File.WriteAllText(Path.Combine(cluster.DataDirectory, "PG_VERSION"), "9\n");

        var error = Assert.Throws<PrerequisiteMissingException>(() => cluster.ServerProgram());

        Assert.Contains(cluster.DataDirectory, error.Message);
        Assert.Contains("postgresql-9", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("postgres (PostgreSQL) 17.2 (Debian 17.2-1.pgdg120+1)\n", "17")]
    [InlineData("postgres (PostgreSQL) 10.23", "10")]
    [InlineData("postgres (PostgreSQL) 9.6.24\n", "9.6")]
    [InlineData("postgres (PostgreSQL) 18beta1", "18")]
    [InlineData("postgres: command not found", null)]
    [InlineData(null, null)]
    public void TheMajorVersionOfTheServerPrograms_IsWrittenAsPgVersionWritesIt(string? versionOutput, string? major)
    {
        Assert.Equal(major, PostgresVersion.MajorOf(versionOutput));
    }

    [Fact]
    public void ProgramsChosenOutsideDebiansLayout_OfAnotherMajorVersionThanTheCluster_StopTheStart_InOneLine()
    {
        var bin = ServerPrograms.PostgresBin;
        var cluster = Path.Combine(_parent, "postgres", "data");

        var error = Assert.Throws<PrerequisiteMissingException>(() => ServerPrograms.MatchingCluster(bin, "9.6\n", cluster));

        Assert.Contains(cluster, error.Message);
        Assert.Contains("PostgreSQL 9.6,", error.Message);
        Assert.Contains(bin, error.Message);
        Assert.Contains(ServerPrograms.PostgresBinVariable, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ProgramsChosenOutsideDebiansLayout_OfTheClustersMajorVersion_AreUsed()
    {
        var bin = ServerPrograms.PostgresBin;
        Assert.SkipUnless(bin.StartsWith("/usr/lib/postgresql/", StringComparison.Ordinal), "The programs' major version is read here from Debian's folder for it, independently of the code under test.");
        var major = Path.GetFileName(Path.GetDirectoryName(bin))!;

        // The programs' version is read (a version not read would let any cluster through).
        Assert.Equal(major, PostgresVersion.MajorOf(ProgramRun.OutputOrNull(Path.Combine(bin, "postgres"), ["--version"])));
        Assert.Equal(bin, ServerPrograms.MatchingCluster(bin, major + "\n", Path.Combine(_parent, "postgres", "data")));
    }

    [Fact]
    public async Task AFirstStartStoppedWhileInitdbRuns_LeavesACluster_TheNextStartMakesAndRuns()
    {
        Directory.CreateDirectory(_parent, (UnixFileMode)0b111_101_101);
        var directory = Path.Combine(_parent, "postgres");
        var cluster = new PostgresCluster(directory);
        using var stop = new CancellationTokenSource();
        // Stopped as soon as initdb has written its first files (PG_VERSION among them), wherever it writes them.
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (Directory.Exists(directory) && Directory.EnumerateFiles(directory, "PG_VERSION", SearchOption.AllDirectories).Any())
                {
                    await stop.CancelAsync();
                    return;
                }

                await Task.Delay(2, TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cluster.InitializeAsync(stop.Token));
        await watch;

        await using var server = await PostgresProcess.StartAsync(directory);
        await using var connection = await Npgsql.NpgsqlDataSource.Create(server.ConnectionString("postgres")).OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = new Npgsql.NpgsqlCommand("SELECT 1", connection);
        Assert.Equal(1, await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    public void Dispose()
    {
        if (Directory.Exists(_parent))
        {
            Directory.Delete(_parent, recursive: true);
        }
    }
}
