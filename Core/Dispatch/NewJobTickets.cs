namespace AspireJobs.Core.Dispatch;

/// <summary>
/// The tickets of new jobs pushed together (see <see cref="JobTicket"/>), by job id, and the moment
/// from which their push may no longer add them, stamped from the jobs' creation and compared with
/// Redis's clock (enqueue.lua). A push that lands later (held up by the network, a reconnect or a
/// stalled Api) adds its jobs without them: by then the reconciler, which judges on the same clock,
/// may have pushed a job itself and a worker run it, and a ticket would start it again on Redis
/// alone, a run PostgreSQL then records nowhere. Without its ticket the job is read first, and
/// dropped if it no longer waits.
/// </summary>
public sealed record NewJobTickets(IReadOnlyDictionary<Guid, string> ByJob, DateTimeOffset AddBy)
{
    /// <summary>The tickets of jobs created at <paramref name="createdAt"/>: added until <see cref="JobTicket.Lifetime"/> after it.</summary>
    public static NewJobTickets OfJobsCreatedAt(DateTimeOffset createdAt, IReadOnlyDictionary<Guid, string> byJob) =>
        new(byJob, createdAt + JobTicket.Lifetime);
}
