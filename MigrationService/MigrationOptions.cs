using AspireJobs.ServiceDefaults;

namespace AspireJobs.MigrationService;

/// <summary>Options of the MigrationService, from the configuration section <c>MigrationService</c>.</summary>
public sealed class MigrationOptions : IValidatedOptions
{
    public const string Section = "MigrationService";

    /// <summary>How long to keep trying to reach PostgreSQL before giving up.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate(string section)
    {
        if (ConnectTimeout <= TimeSpan.Zero || ConnectTimeout > TimeSpan.FromHours(1))
        {
            yield return $"{section}:ConnectTimeout must be between 00:00:00.001 and 01:00:00 (was {ConnectTimeout}).";
        }
    }
}
