using AspireJobs.Api.Http;
using AspireJobs.Core.Snapshots;

namespace AspireJobs.Api.Snapshots;

/// <summary>
/// A snapshot: what it holds (<c>jobCount</c> records, by status in <c>counts</c>; for an
/// incremental one, the jobs that changed since <c>baseId</c>), where in the transition log it
/// stands, its compressed size, and the fleet it saw.
/// </summary>
public sealed record SnapshotResponse(
    Guid Id,
    string Kind,
    string Reason,
    string? Label,
    Guid? BaseId,
    int Format,
    DateTime TakenAt,
    long LastEventId,
    int JobCount,
    int EdgeCount,
    long SizeBytes,
    IReadOnlyDictionary<string, int> Counts,
    RawJson Fleet)
{
    public static SnapshotResponse From(Snapshot snapshot) => new(
        snapshot.Id,
        SnapshotText.Of(snapshot.Kind),
        SnapshotText.Of(snapshot.Reason),
        snapshot.Label,
        snapshot.BaseId,
        snapshot.Format,
        snapshot.TakenAt.UtcDateTime,
        snapshot.LastEventId,
        snapshot.JobCount,
        snapshot.EdgeCount,
        snapshot.SizeBytes,
        snapshot.Counts,
        new RawJson(snapshot.Fleet));
}
