using AspireJobs.Core.Jobs;

namespace AspireJobs.Worker.Execution;

/// <summary>Why a running job's token fired, when something other than its timeout fired it.</summary>
public enum StopReason
{
    /// <summary>Nothing asked it to stop; if its token fired, that was the timeout.</summary>
    None,

    /// <summary>A client cancelled the job.</summary>
    Cancelled,

    /// <summary>The worker is shutting down and hands the job back.</summary>
    HandedBack,
}

/// <summary>
/// A job this worker is running: one token that fires on the job's timeout, on cancellation and
/// on hand-back, and the first reason given for stopping it.
/// </summary>
public sealed class RunningJob(StartedJob job) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reason;

    public StartedJob Job { get; } = job;

    public CancellationToken Token => _stop.Token;

    public StopReason Reason => (StopReason)Volatile.Read(ref _reason);

    /// <summary>Whether the timeout, and nothing else, fired the token.</summary>
    public bool TimedOut => Token.IsCancellationRequested && Reason == StopReason.None;

    /// <summary>Completes once the job's outcome is recorded and its slot is free.</summary>
    public Task Finished => _finished.Task;

    public void StartTimeout() => _stop.CancelAfter(Job.Timeout);

    public void MarkFinished() => _finished.TrySetResult();

    public void Stop(StopReason reason)
    {
        Interlocked.CompareExchange(ref _reason, (int)reason, (int)StopReason.None);
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The job already finished.
        }
    }

    public void Dispose() => _stop.Dispose();
}
