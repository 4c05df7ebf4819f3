namespace AspireJobs.MigrationService;

/// <summary>The database's schema cannot be brought to this build's. The message says why, in one line.</summary>
public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);
