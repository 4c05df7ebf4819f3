using System.Text.RegularExpressions;

namespace AspireJobs.Tests.Security;

/// <summary>
/// Every SQL statement is parameterised: no source file of the services, the AppHost or the local
/// servers builds SQL by interpolating or concatenating values into its text. The one thing no
/// parameter can carry, an identifier such as a database name, goes through QuoteIdentifier.
/// </summary>
public sealed partial class SqlParameterisationTests
{
    private static readonly string[] SourceFolders = ["Core", "Api", "Worker", "HealthMonitor", "Indexer", "MigrationService", "AppHost", "ServiceDefaults", "eng"];

    // A string that starts like SQL and is interpolated ($"SELECT ... {x}") ...
    [GeneratedRegex("""\$@?"{1,3}\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|TRUNCATE|GRANT|COPY)\b(?:[^"\\]|\\.)*\{""", RegexOptions.IgnoreCase)]
    private static partial Regex InterpolatedSql();

    // ... or a SQL literal joined to something with +.
    [GeneratedRegex("""@?"\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|TRUNCATE)\b[^"]*"\s*\+|\+\s*"\s*(WHERE|AND|OR|VALUES|SET|FROM)\b""", RegexOptions.IgnoreCase)]
    private static partial Regex ConcatenatedSql();

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AspireJobs.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (AspireJobs.sln) was not found above the test's directory.");
    }

    [Fact]
    public void NoSourceBuildsSqlFromValues()
    {
        var root = RepositoryRoot();
        var files = SourceFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 50, $"only {files.Count} source files found under {root}");

        var offending = files
            .SelectMany(path => File.ReadLines(path).Select((line, index) => (Path: Path.GetRelativePath(root, path), Line: index + 1, Text: line)))
            .Where(line => (InterpolatedSql().IsMatch(line.Text) || ConcatenatedSql().IsMatch(line.Text))
                           && !line.Text.Contains("QuoteIdentifier(", StringComparison.Ordinal))
            .Select(line => $"{line.Path}:{line.Line}: {line.Text.Trim()}")
            .ToList();

        Assert.Empty(offending);
    }

    [Theory]
    [InlineData("""var sql = $"SELECT * FROM jobs WHERE id = '{id}'";""")]
    [InlineData("""command.CommandText = "DELETE FROM jobs" + " WHERE type = '" + type + "'";""")]
    [InlineData("""new NpgsqlCommand($"UPDATE jobs SET status = '{status}'", connection)""")]
    [InlineData("""new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin)""")]
    public void TheScan_FindsSqlBuiltFromValues(string line) =>
        Assert.True(InterpolatedSql().IsMatch(line) || ConcatenatedSql().IsMatch(line));
}
