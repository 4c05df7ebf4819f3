namespace AspireJobs.Core.Snapshots;

/// <summary>
/// A snapshot as its row describes it: what it holds (<see cref="JobCount"/> records, per status in
/// <see cref="Counts"/>), where in the transition log it stands, and what it weighs compressed.
/// <see cref="Fleet"/> is the JSON array of the workers alive when it was taken.
/// <see cref="OpenWritesSince"/> is when the oldest transaction then writing began (null: none
/// was): its events may commit after the snapshot, with ids below <see cref="LastEventId"/>.
/// </summary>
public sealed record Snapshot(
    Guid Id,
    SnapshotKind Kind,
    SnapshotReason Reason,
    string? Label,
    Guid? BaseId,
    short Format,
    DateTimeOffset TakenAt,
    long LastEventId,
    int JobCount,
    int EdgeCount,
    long SizeBytes,
    IReadOnlyDictionary<string, int> Counts,
    string Fleet,
    DateTimeOffset? OpenWritesSince);
