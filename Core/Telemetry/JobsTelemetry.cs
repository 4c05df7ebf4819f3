using System.Diagnostics;

namespace AspireJobs.Core.Telemetry;

/// <summary>
/// The project's ActivitySource and the name of its Meter (created per host through
/// IMeterFactory, in <see cref="JobsMetrics"/>). ServiceDefaults subscribes to both. Attributes
/// follow OpenTelemetry's messaging conventions where they fit: a job is a message, its type the
/// destination.
/// </summary>
public static class JobsTelemetry
{
    public const string Name = "AspireJobs";

    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary><c>messaging.system</c> of every span and measurement.</summary>
    public const string MessagingSystem = "aspirejobs";

    public const string SystemTag = "messaging.system";
    public const string OperationTypeTag = "messaging.operation.type";
    public const string OperationNameTag = "messaging.operation.name";
    public const string DestinationTag = "messaging.destination.name";
    public const string MessageIdTag = "messaging.message.id";
    public const string BatchSizeTag = "messaging.batch.message_count";
    public const string ErrorTypeTag = "error.type";
    public const string AttemptTag = "aspirejobs.job.attempt";
    public const string OutcomeTag = "aspirejobs.job.outcome";
    public const string BandTag = "aspirejobs.band";
    public const string StatusTag = "aspirejobs.status";
    public const string WorkerIdTag = "aspirejobs.worker.id";
    public const string WorkerNameTag = "aspirejobs.worker.name";
}
