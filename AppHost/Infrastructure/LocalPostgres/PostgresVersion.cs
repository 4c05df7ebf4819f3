using System.Globalization;
using System.Text.RegularExpressions;

namespace AspireJobs.AppHost.Infrastructure.LocalPostgres;

/// <summary>
/// The major version of PostgreSQL's server programs, as a cluster's <c>PG_VERSION</c> writes it:
/// the first number from 10 on (<c>17</c>), the first two before (<c>9.6</c>).
/// </summary>
public static partial class PostgresVersion
{
    /// <summary>The major version in what <c>postgres --version</c> prints, or null when it prints none.</summary>
    public static string? MajorOf(string? versionOutput)
    {
        if (versionOutput is null || VersionLine().Match(versionOutput) is not { Success: true } match)
        {
            return null;
        }

        var first = int.Parse(match.Groups["first"].Value, CultureInfo.InvariantCulture);
        return first >= 10 || !match.Groups["second"].Success ? first.ToString(CultureInfo.InvariantCulture) : $"{first}.{match.Groups["second"].Value}";
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(?<first>\d+)(?:\.(?<second>\d+))?")]
    private static partial Regex VersionLine();
}
