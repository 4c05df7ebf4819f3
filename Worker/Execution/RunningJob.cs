using AspireJobs.Core.Jobs;

namespace AspireJobs.Worker.Execution;

/// <summary>Why a running job's token fired: the first reason given wins.</summary>
public enum StopReason
{
    /// <summary>Nothing stopped it.</summary>
    None,

    /// <summary>It ran past its timeout.</summary>
    TimedOut,

    /// <summary>A client cancelled the job.</summary>
    Cancelled,

    /// <summary>The worker is shutting down and hands the job back.</summary>
    HandedBack,
}

/// <summary>
/// A job this worker is running: one token that fires on the job's timeout, on cancellation and
/// on hand-back, and the first reason given for stopping it. Its handler's slot is given back
/// (<paramref name="handlerDone"/>) as soon as the handler is done, before its outcome is written.
/// Its timer runs on the worker's clock (<paramref name="clock"/>; the system's when none is given).
/// </summary>
public sealed class RunningJob(StartedJob job, Action handlerDone, TimeProvider? clock = null) : IDisposable
{
    private static readonly CallTakeover CallReturnedFirst = new();

    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private ITimer? _timer;
    private long _calledAt; // 0 until the handler is called
    private volatile bool _callReturned;
    private Func<Task<string?>, Task>? _watch;
    // Null while the handler's call goes on; then CallReturnedFirst, or the timer's takeover.
    private CallTakeover? _call;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reason;
    private int _handlerDone;

    public StartedJob Job { get; } = job;

    public CancellationToken Token => _stop.Token;

    public StopReason Reason => (StopReason)Volatile.Read(ref _reason);

    /// <summary>
    /// Whether the timeout fired the token first. A hand-back or a cancellation that comes later
    /// (the shutdown's grace ending while a timed-out handler ignores its token) does not undo
    /// it: the attempt still counts as timed out.
    /// </summary>
    public bool TimedOut => Reason == StopReason.TimedOut;

    /// <summary>Completes once the job's outcome is recorded and its slot is free.</summary>
    public Task Finished => _finished.Task;

    /// <summary>
    /// Its outcome could not be written before its start was: its Redis lease is the only trace
    /// of the attempt, and is left to lapse rather than released (<see cref="KeepLease"/>).
    /// </summary>
    public bool LeaseKept { get; private set; }

    public void KeepLease() => LeaseKept = true;

    /// <summary>
    /// Arms the job's timeout and its start window, just before its handler is called: one timer,
    /// due at the window's end (or the timeout, if sooner), then at the timeout. A handler still
    /// inside that call when the timer first fires (one that works synchronously, CPU-bound
    /// before its first await, holds the caller's thread) is taken over on the timer's thread:
    /// <paramref name="watch"/> is given the task the handler will return, and watches the job to
    /// its end in the caller's stead. A handler done at once disposes the timer unfired.
    /// </summary>
    public void StartTimer(TimeSpan window, Func<Task<string?>, Task> watch)
    {
        _watch = watch;
        Volatile.Write(ref _calledAt, _clock.GetTimestamp());
        // Made before it is set, so that its callback, however soon it fires, finds it to set again.
        _timer = _clock.CreateTimer(static self => ((RunningJob)self!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(window < Job.Timeout ? window : Job.Timeout, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        TakeOverIfStillInItsCall();
        var timeoutIn = Job.Timeout - _clock.GetElapsedTime(_calledAt);
        if (timeoutIn <= TimeSpan.Zero)
        {
            Stop(StopReason.TimedOut);
            return;
        }

        try
        {
            // Also when a timer fired a moment early; in whole milliseconds, as timers count.
            _timer!.Change(TimeSpan.FromMilliseconds(Math.Ceiling(timeoutIn.TotalMilliseconds)), Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The job already finished.
        }
    }

    /// <summary>
    /// The handler's call returned. Null when it returned first: the caller watches the job.
    /// Otherwise the timer took it over, and the task completes when that watch does.
    /// </summary>
    public Task? CallReturned(Task<string?> handler)
    {
        _callReturned = true;
        if (Interlocked.CompareExchange(ref _call, CallReturnedFirst, null) is { } takeover)
        {
            takeover.HandlerReturned(handler);
            return takeover.Ended;
        }

        if (handler.IsCompleted)
        {
            // Done at once, as most jobs are: no window or timeout can matter now, and the
            // timer would otherwise still fire at the window's end while the outcome is written.
            _timer?.Dispose();
        }

        return null;
    }

    private bool InItsCall => Volatile.Read(ref _calledAt) != 0 && !_callReturned;

    private void TakeOverIfStillInItsCall()
    {
        if (Volatile.Read(ref _call) is not null)
        {
            return;
        }

        var takeover = new CallTakeover();
        if (Interlocked.CompareExchange(ref _call, takeover, null) is null)
        {
            _ = takeover.WatchAsync(_watch!);
        }
    }

    /// <summary>
    /// The handler returned, threw or was abandoned: its slot is free. Only the first call counts,
    /// and none while its call goes on: abandoned there, it still holds its thread, and the slot
    /// stays taken until the call returns, so that abandoned calls cannot pile up past the slots.
    /// </summary>
    public void MarkHandlerDone()
    {
        if (InItsCall)
        {
            return;
        }

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
        _timer?.Dispose();
        _stop.Dispose();
    }

    /// <summary>A job taken over while its handler's call went on: the task that call returns, and the watch's end.</summary>
    private sealed class CallTakeover
    {
        private readonly TaskCompletionSource<Task<string?>> _handler = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Ended => _ended.Task;

        public void HandlerReturned(Task<string?> handler) => _handler.SetResult(handler);

        public async Task WatchAsync(Func<Task<string?>, Task> watch)
        {
            try
            {
                await watch(_handler.Task.Unwrap());
                _ended.SetResult();
            }
            catch (Exception e)
            {
                _ended.SetException(e); // the caller, once its call returns, meets it as its own
            }
        }
    }
}
