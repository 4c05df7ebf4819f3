using AspireJobs.Core.Jobs;
using AspireJobs.Core.Snapshots;

namespace AspireJobs.Tests.Core.Recovery;

public sealed class SnapshotFormatTests
{
    [Fact]
    public void Decode_GivesBackWhatEncodeWrote_ToTheMicrosecond()
    {
        var parent = Guid.CreateVersion7();
        SnapshotRecord[] records =
        [
            new(Guid.CreateVersion7(), "email.send", JobStatus.Scheduled, 2, 4, 3, 2, 1, 5, new DateTimeOffset(2026, 12, 2, 14, 5, 0, TimeSpan.Zero).AddTicks(1230), [parent]),
            new(Guid.CreateVersion7(), "noop", JobStatus.Queued, 5, 5, 0, 0, 0, 0, DateTimeOffset.UnixEpoch, []),
            new(Guid.CreateVersion7(), "", JobStatus.Cancelled, 1, 1, 0, 0, 0, 0, DateTimeOffset.UnixEpoch, [], Deleted: true),
        ];

        var decoded = SnapshotFormat.Decode(SnapshotFormat.Version, SnapshotFormat.Encode(records));

        Assert.Equal(records.Length, decoded.Count);
        for (var i = 0; i < records.Length; i++)
        {
            Assert.Equal(records[i] with { DependsOn = [] }, decoded[i] with { DependsOn = [] });
            Assert.Equal(records[i].DependsOn, decoded[i].DependsOn);
        }

        Assert.Equal([true, true, false], decoded.Select(r => r.IsPending));
    }

    [Fact]
    public void Encode_IsCompact_ForAChunkOfSimilarJobs()
    {
        var records = Enumerable.Range(0, SnapshotFormat.ChunkRecords)
            .Select(i => new SnapshotRecord(Guid.CreateVersion7(), "report.render", JobStatus.Queued, 3, 3, 0, 0, 0, 5, DateTimeOffset.UnixEpoch.AddSeconds(i), []))
            .ToList();

        var bytes = SnapshotFormat.Encode(records);

        Assert.InRange(bytes.Length / (double)records.Count, 1, 60);
    }

    [Fact]
    public void Decode_RefusesAFormatItDoesNotKnow() =>
        Assert.Throws<NotSupportedException>(() => SnapshotFormat.Decode(2, SnapshotFormat.Encode([])));
}
