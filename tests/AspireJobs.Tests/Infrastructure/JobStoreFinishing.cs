using AspireJobs.Core.Jobs;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>One attempt finished through the one finishing path, as tests write it.</summary>
public static class JobStoreFinishing
{
    /// <summary>Finishes one attempt; true when its lease was current and the job changed.</summary>
    public static async Task<bool> FinishAsync(this JobStore store, JobFinish finish, CancellationToken cancellationToken) =>
        (await store.JobFinishIfRunningAsync([finish], cancellationToken)).Finished.Count == 1;
}
