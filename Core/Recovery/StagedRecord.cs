namespace AspireJobs.Core.Recovery;

/// <summary>
/// A target as a restore stages it: <see cref="Seq"/> orders a snapshot chain (a later record of a
/// job replaces an earlier one); a record that is not <see cref="Pending"/> removes the job from
/// the targets (it finished or was deleted as of that snapshot).
/// </summary>
public readonly record struct StagedRecord(int Seq, bool Pending, RestoreTarget Target);
