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
/// on hand-back, and the first reason given for stopping it. Its handler's slot is given back
/// (<paramref name="handlerDone"/>) as soon as the handler is done, before its outcome is written.
/// The timeout runs on the worker's clock (<paramref name="clock"/>; the system's when none is given).
/// </summary>
public sealed class RunningJob(StartedJob job, Action handlerDone, TimeProvider? clock = null) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private ITimer? _timeout;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reason;
    private int _handlerDone;

    public StartedJob Job { get; } = job;

    public CancellationToken Token => _stop.Token;

    public StopReason Reason => (StopReason)Volatile.Read(ref _reason);

    /// <summary>Whether the timeout, and nothing else, fired the token.</summary>
    public bool TimedOut => Token.IsCancellationRequested && Reason == StopReason.None;

    /// <summary>Completes once the job's outcome is recorded and its slot is free.</summary>
    public Task Finished => _finished.Task;

    public void StartTimeout() =>
        _timeout = (clock ?? TimeProvider.System).CreateTimer(_ => Stop(StopReason.None), null, Job.Timeout, Timeout.InfiniteTimeSpan);

    /// <summary>The handler returned, threw or was abandoned: its slot is free. Only the first call counts.</summary>
    public void MarkHandlerDone()
    {
        if (Interlocked.Exchange(ref _handlerDone, 1) == 0)
        {
            handlerDone();
        }
    }

    public void MarkFinished()
    {
        MarkHandlerDone();
        _finished.TrySetResult();
    }

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

    public void Dispose()
    {
        _timeout?.Dispose();
        _stop.Dispose();
    }
}
