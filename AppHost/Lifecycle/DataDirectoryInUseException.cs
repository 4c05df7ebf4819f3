namespace AspireJobs.AppHost.Lifecycle;

/// <summary>The data directory belongs to another AppHost that is running.</summary>
public sealed class DataDirectoryInUseException(string message) : Exception(message);
