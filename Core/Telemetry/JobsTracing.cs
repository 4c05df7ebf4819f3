using System.Diagnostics;
using AspireJobs.Core.Jobs;
using static AspireJobs.Core.Telemetry.JobsTelemetry;

namespace AspireJobs.Core.Telemetry;

/// <summary>
/// The spans of a job's life, named and tagged after OpenTelemetry's messaging conventions
/// (<c>{operation} {destination}</c>, the job type as destination). The Api's <c>send</c> span
/// is stored with each job it creates; every attempt's spans on a worker are its children, so one
/// trace holds the request, the enqueue, each attempt's <c>receive</c> (acquisition),
/// <c>process</c> (the handler) and <c>settle</c> (the finishing write). Each <c>process</c> span
/// also links to the <c>send</c> span, so retries show as linked attempts.
/// </summary>
public static class JobsTracing
{
    /// <summary>The enqueue of <paramref name="count"/> new jobs: their insert and their push to a band.</summary>
    public static Activity? StartSend(string type, int count)
    {
        var activity = JobsTelemetry.ActivitySource.StartActivity($"send {type}", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(SystemTag, MessagingSystem);
            activity.SetTag(OperationTypeTag, "send");
            activity.SetTag(OperationNameTag, "send");
            activity.SetTag(DestinationTag, type);
            if (count != 1)
            {
                activity.SetTag(BatchSizeTag, count);
            }
        }

        return activity;
    }

    /// <summary>The traceparent to store with a new job: the send span's, else the ambient span's.</summary>
    public static string? TraceParentOf(Activity? send) =>
        (send ?? Activity.Current) is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    /// <summary>A span for the acquisition of a started job, from the lease request to the start write.</summary>
    public static void RecordReceive(StartedJob job, DateTimeOffset requestedAt, DateTimeOffset startedAt)
    {
        using var activity = JobsTelemetry.ActivitySource.StartActivity(
            $"receive {job.Type}", ActivityKind.Consumer, ContextOf(job.TraceParent), Tags(job, "receive"), startTime: requestedAt);
        activity?.SetEndTime(startedAt.UtcDateTime);
    }

    /// <summary>The span of one attempt's handler: a child of the job's send span, and linked to it.</summary>
    public static Activity? StartProcess(StartedJob job)
    {
        var parent = ContextOf(job.TraceParent);
        ActivityLink[]? links = parent == default ? null : [new ActivityLink(parent)];
        return JobsTelemetry.ActivitySource.StartActivity($"process {job.Type}", ActivityKind.Consumer, parent, Tags(job, "process"), links);
    }

    /// <summary>The finishing write of an attempt, a child of the ambient process span.</summary>
    public static Activity? StartSettle(StartedJob job) =>
        JobsTelemetry.ActivitySource.StartActivity($"settle {job.Type}", ActivityKind.Client, default(ActivityContext), Tags(job, "settle"));

    /// <summary>Marks a span failed, the OpenTelemetry way: an error status and <c>error.type</c>.</summary>
    public static void SetError(Activity? activity, string errorType, string? description)
    {
        activity?.SetStatus(ActivityStatusCode.Error, description);
        activity?.SetTag(ErrorTypeTag, errorType);
    }

    // Remote: the traceparent came from another process. A parent that is not sampled then still
    // gives the attempt's spans a context that carries its decision, so they, and every span the
    // handler makes under them, are left out with it; read as a local parent, it gave no span,
    // and each settle span and the handler's own began traces of their own.
    private static ActivityContext ContextOf(string? traceParent) =>
        ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;

    private static KeyValuePair<string, object?>[] Tags(StartedJob job, string operation) =>
    [
        new(SystemTag, MessagingSystem),
        new(OperationTypeTag, operation),
        new(OperationNameTag, operation),
        new(DestinationTag, job.Type),
        new(MessageIdTag, job.Id.ToString()),
        new(AttemptTag, job.Attempt),
    ];
}
