using AspireJobs.Core.Jobs;
using AspireJobs.Core.Storage;
using AspireJobs.Worker.Handlers;

namespace AspireJobs.Worker.Execution;

/// <summary>How an attempt ended, as the worker saw it; each kind has one guarded write.</summary>
public abstract record JobOutcome
{
    /// <summary>Its name on telemetry (<c>aspirejobs.job.outcome</c>).</summary>
    public abstract string Name { get; }

    public sealed record Succeeded(string? ResultJson) : JobOutcome
    {
        public override string Name => "succeeded";
    }

    /// <summary>
    /// The handler failed or timed out; <see cref="Permanent"/> when no retry can help.
    /// <see cref="ErrorType"/> is the exception's full type name, or <c>timeout</c>.
    /// </summary>
    public sealed record Failed(ExecutionStatus Status, string Error, bool Permanent, string ErrorType = "timeout") : JobOutcome
    {
        public override string Name => Status == ExecutionStatus.TimedOut ? "timed_out" : "failed";
    }

    public sealed record Cancelled : JobOutcome
    {
        public override string Name => "cancelled";
    }

    public sealed record HandedBack(string Reason) : JobOutcome
    {
        public override string Name => "handed_back";
    }

    /// <summary>
    /// Classifies an attempt. A handler that returned a result succeeded, whatever fired
    /// meanwhile. Otherwise the first reason the job was stopped for decides (a cancellation, a
    /// hand-back or its timeout), then the exception.
    /// </summary>
    public static JobOutcome Of(RunningJob running, Task<string?> handler, bool abandoned)
    {
        if (handler.IsCompletedSuccessfully)
        {
            return new Succeeded(handler.Result);
        }

        var timeoutMs = (long)running.Job.Timeout.TotalMilliseconds;
        var ignored = abandoned ? " The handler ignored its cancellation token and was abandoned." : "";
        return running.Reason switch
        {
            StopReason.Cancelled => new Cancelled(),
            StopReason.HandedBack => new HandedBack("The worker shut down before the job finished." + ignored),
            StopReason.TimedOut => new Failed(ExecutionStatus.TimedOut, $"Timed out after {timeoutMs} ms.{ignored}", Permanent: false),
            _ => handler.Exception?.GetBaseException() is { } e
                ? new Failed(ExecutionStatus.Failed, Describe(e), Permanent: e is PermanentJobException, e.GetType().FullName ?? e.GetType().Name)
                : new Failed(ExecutionStatus.Failed, "The handler was cancelled.", Permanent: false, typeof(OperationCanceledException).FullName!),
        };
    }

    private static string Describe(Exception e) => PostgresText.Storable($"{e.GetType().Name}: {e.Message}", MaxErrorLength);

    private const int MaxErrorLength = 4000;
}
