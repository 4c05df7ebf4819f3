using System.Globalization;
using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Dispatch;

/// <summary>
/// What a worker needs to run a new job's first attempt, carried in Redis beside its band entry
/// (see enqueue.lua and acquire.lua), so that nothing but Redis lies between a committed create
/// and the handler's start. It is taken with the lease and used once; a job queued again (a retry,
/// a hand-back, a rescue) has none and is read from PostgreSQL, which stays the judge: a start
/// under a lease PostgreSQL no longer accepts records nothing. Payloads over
/// <see cref="MaxPayloadLength"/> characters are read from PostgreSQL too, so a backlog of large
/// jobs does not fill Redis's memory.
/// </summary>
public static class JobTicket
{
    /// <summary>
    /// How long after its job was created a ticket may still be added by the create's push (see
    /// <see cref="NewJobTickets"/>). The reconciler leaves a new job to its create's push for at
    /// least this long (<c>HealthMonitor:CreatePushGrace</c>). Both compare the creation's stamp
    /// with Redis's clock, so a ticket never reaches Redis after the reconciler may have pushed
    /// its job (while Redis's clock does not step back).
    /// </summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    /// <summary>The largest payload a ticket carries; larger ones cost the pickup one read.</summary>
    public const int MaxPayloadLength = 4096;

    private const string Version = "1";

    /// <summary>The ticket of a job just created, or null when its payload is too large to carry.</summary>
    public static string? Of(Job job, string? traceParent) =>
        job.PayloadJson.Length > MaxPayloadLength
            ? null
            : string.Join('\n',
                Version,
                job.Type,
                job.MaxRetries.ToString(CultureInfo.InvariantCulture),
                ((long)job.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                job.ScheduledAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                traceParent ?? "",
                job.PayloadJson);

    /// <summary>
    /// The job a ticket describes, its first attempt started by <paramref name="workerId"/> under
    /// <paramref name="lease"/>; null for a ticket this version cannot read (it is then read from
    /// PostgreSQL). Should the job have had an attempt counted meanwhile (the ticket outlived its
    /// first lease), PostgreSQL refuses this start, and the handler's run is recorded nowhere.
    /// </summary>
    public static StartedJob? Read(string ticket, JobLease lease, Guid workerId, DateTimeOffset now, TimeSpan leaseGrace)
    {
        var fields = ticket.Split('\n', 7);
        if (fields.Length != 7 || fields[0] != Version
            || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var maxRetries)
            || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var timeoutMs)
            || !long.TryParse(fields[4], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var dueMs))
        {
            return null;
        }

        var start = lease.StartBy(workerId, attempt: 1, now, leaseGrace);
        return new StartedJob(
            Id: start.JobId,
            Type: fields[1],
            PayloadJson: fields[6],
            Attempt: start.Attempt,
            Failures: 0,
            MaxRetries: maxRetries,
            Timeout: TimeSpan.FromMilliseconds(timeoutMs),
            LeaseToken: start.LeaseToken)
        {
            Wait = now - DateTimeOffset.FromUnixTimeMilliseconds(dueMs),
            TraceParent = fields[5].Length == 0 ? null : fields[5],
            Fence = lease.Fence,
            Start = start,
        };
    }
}
