using System.Text.Json.Nodes;
using AspireJobs.Core.Snapshots;

namespace AspireJobs.Core.Recovery;

/// <summary>
/// Puts jobs back as a snapshot holds them: its chain's records, replayed in order (a later
/// record of a job replaces an earlier one), restored by <see cref="JobRestorer"/> with its dry
/// run, modes and guards.
/// </summary>
public sealed class SnapshotRestore(SnapshotStore snapshots, JobRestorer restorer)
{
    public Task<RestoreReport> RestoreAsync(Guid snapshotId, RestoreRequest request, CancellationToken cancellationToken)
    {
        var why = new JsonObject { ["reason"] = "restored", ["snapshotId"] = snapshotId };
        return restorer.RestoreAsync(Staged(snapshots.ReadChainAsync(snapshotId, cancellationToken)), request, why, cancellationToken);
    }

    private static async IAsyncEnumerable<StagedRecord> Staged(IAsyncEnumerable<SnapshotRecord> records)
    {
        var seq = 0;
        await foreach (var record in records)
        {
            yield return new StagedRecord(seq++, record.IsPending, RestoreTarget.Of(
                record.Id, record.Status, record.Priority, record.EffectivePriority, record.Attempts, record.Failures, record.Crashes, record.RunAt));
        }
    }
}
