using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Dispatch;

/// <summary>A job to put in its band: its id and the priority it is dispatched at.</summary>
public readonly record struct QueuedJob(Guid Id, int Priority)
{
    public PriorityBand Band => PriorityBands.Of(Priority);
}
