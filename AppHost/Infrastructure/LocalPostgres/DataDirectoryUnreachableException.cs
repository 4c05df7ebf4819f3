namespace AspireJobs.AppHost.Infrastructure.LocalPostgres;

/// <summary>The postgres user, which runs PostgreSQL when the AppHost runs as root, cannot reach the data directory. The message is one line: which directory, and what to do.</summary>
public sealed class DataDirectoryUnreachableException(string message) : Exception(message);
