namespace AspireJobs.Core.Snapshots;

/// <summary>An incremental snapshot was asked for, but there is no snapshot for it to build on.</summary>
public sealed class NoBaseSnapshotException()
    : Exception("There is no snapshot for an incremental one to build on; take a full snapshot first.");
