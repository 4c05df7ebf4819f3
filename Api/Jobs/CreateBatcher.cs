using System.Threading.Channels;
using AspireJobs.Core.Jobs;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Coalesces concurrent single creates into one multi-row insert, group-commit style: a create
/// arriving alone is written at once; creates that arrive while a write is in flight go together
/// in the next one. Each caller is answered only after its job is committed. Jobs with
/// dependencies are created on their own, so a missing dependency fails only its own request.
/// </summary>
public sealed class CreateBatcher : IAsyncDisposable
{
    public const int MaxBatch = 500;

    private readonly Channel<(NewJob Job, TaskCompletionSource<JobInsertResult> Created)> _pending =
        Channel.CreateUnbounded<(NewJob, TaskCompletionSource<JobInsertResult>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly JobStore _store;
    private readonly TimeProvider _clock;
    private readonly Func<IReadOnlyCollection<QueuedJob>, Task> _enqueue;
    private readonly Task _writer;

    public CreateBatcher(JobStore store, TimeProvider clock, Func<IReadOnlyCollection<QueuedJob>, Task> enqueue)
    {
        _store = store;
        _clock = clock;
        _enqueue = enqueue;
        _writer = Task.Run(WriteBatchesAsync);
    }

    public Task<JobInsertResult> CreateAsync(NewJob job)
    {
        var created = new TaskCompletionSource<JobInsertResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite((job, created)))
        {
            created.SetException(new InvalidOperationException("The Api is shutting down."));
        }

        return created.Task;
    }

    private async Task WriteBatchesAsync()
    {
        var batch = new List<(NewJob Job, TaskCompletionSource<JobInsertResult> Created)>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                var result = await _store.JobInsertBatchAsync(batch.Select(b => b.Job).ToList(), _clock.GetUtcNow(), CancellationToken.None);
                await _enqueue(result.Queued);
                for (var i = 0; i < batch.Count; i++)
                {
                    var created = result.Created[i] is { } job
                        ? new JobInsertResult(job, Created: true)
                        : new JobInsertResult((await _store.JobGetByIdAsync(result.Ids[i], CancellationToken.None))!, Created: false);
                    batch[i].Created.SetResult(created);
                }
            }
            catch (Exception e)
            {
                foreach (var (_, created) in batch)
                {
                    created.TrySetException(e);
                }
            }

            batch.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
    }
}
