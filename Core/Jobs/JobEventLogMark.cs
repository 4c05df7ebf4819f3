using System.Data.Common;
using AspireJobs.Core.Storage;

namespace AspireJobs.Core.Jobs;

/// <summary>
/// The transition log (<c>job_events</c>) as one statement saw it: the last event id it saw, a
/// moment just after it looked (PostgreSQL's clock), and when the oldest transaction then open
/// in another session that may be logging events began (null: none was). Every id up to
/// <see cref="LastEventId"/> was taken by a transaction begun before <see cref="ReadAt"/>.
/// See <c>Sql/JobEventLogMark.sql</c>; <see cref="JobEventLogSettling"/> turns marks into the
/// position below which a gap in the ids is final.
/// </summary>
public sealed record JobEventLogMark(long LastEventId, DateTimeOffset ReadAt, DateTimeOffset? OpenWritesSince)
{
    /// <summary>The statement that reads a mark; its one row is read by <see cref="Read"/>.</summary>
    public static readonly string Sql = EmbeddedFile.Core("JobEventLogMark.sql");

    public static JobEventLogMark Read(DbDataReader row) => new(
        row.GetInt64(0),
        row.GetFieldValue<DateTimeOffset>(1),
        row.IsDBNull(2) ? null : row.GetFieldValue<DateTimeOffset>(2));
}
