using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Infrastructure.LocalPostgres;

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

    public void Dispose()
    {
        if (Directory.Exists(_parent))
        {
            Directory.Delete(_parent, recursive: true);
        }
    }
}
