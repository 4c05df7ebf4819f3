using AspireJobs.MigrationService;

namespace AspireJobs.Tests.MigrationService;

public sealed class MigrationCatalogTests
{
    [Fact]
    public void Embedded_StartsAtOne_WithoutGaps()
    {
        var versions = MigrationCatalog.Embedded.Select(m => m.Version).ToList();

        Assert.NotEmpty(versions);
        Assert.Equal(Enumerable.Range(1, versions.Count), versions);
    }

    [Fact]
    public void Ordered_Throws_WhenAVersionIsMissing()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MigrationCatalog.Ordered(
            [new Migration(1, "first", "SELECT 1;"), new Migration(3, "third", "SELECT 3;")]));

        Assert.Contains("0003_third.sql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ordered_Throws_WhenAVersionRepeats()
    {
        Assert.Throws<InvalidOperationException>(() => MigrationCatalog.Ordered(
            [new Migration(1, "first", "SELECT 1;"), new Migration(1, "again", "SELECT 2;")]));
    }

    [Fact]
    public void Checksum_IgnoresLineEndings_ButNotContent()
    {
        var unix = new Migration(1, "x", "SELECT 1;\nSELECT 2;\n");
        var windows = new Migration(1, "x", "SELECT 1;\r\nSELECT 2;\r\n");
        var edited = new Migration(1, "x", "SELECT 1;\nSELECT 3;\n");

        Assert.Equal(unix.Checksum, windows.Checksum);
        Assert.NotEqual(unix.Checksum, edited.Checksum);
    }
}
