using System.Security.Cryptography;
using System.Text;

namespace AspireJobs.MigrationService;

/// <summary>
/// One numbered migration file: <c>NNNN_name.sql</c>. Its checksum is the SHA-256 of its text
/// with line endings normalised, so a checkout with CRLF endings still matches.
/// </summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    // Computed on each read, so a copy made with `with { Sql = ... }` gets its own checksum.
    public string Checksum =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    public string FileName => $"{Version:D4}_{Name}.sql";
}
