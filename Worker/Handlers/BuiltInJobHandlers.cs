using System.Diagnostics;
using System.Text.Json;

namespace AspireJobs.Worker.Handlers;

/// <summary>
/// The job types every worker runs (DESIGN.md §4), used by tests, benchmarks and smoke checks:
/// <c>noop</c>, <c>echo</c>, <c>sleep</c> and <c>fail</c>; <c>spin</c>, which keeps a core busy as
/// CPU-bound handlers do; <c>collect</c>, which gathers the
/// results of the jobs it depends on; and <c>record</c>, which writes its attempt to
/// <c>job_effects</c> for the loss-and-duplication checker.
/// </summary>
public static class BuiltInJobHandlers
{
    public static IServiceCollection AddBuiltInJobHandlers(this IServiceCollection services) => services
        .AddJobHandler<NoopHandler, JsonElement, object?>("noop")
        .AddJobHandler<EchoHandler, JsonElement, JsonElement>("echo")
        .AddJobHandler<SleepHandler, SleepHandler.Payload, object?>("sleep")
        .AddJobHandler<SpinHandler, SpinHandler.Payload, object?>("spin")
        .AddJobHandler<FailHandler, FailHandler.Payload, FailHandler.Succeeded>("fail")
        .AddJobHandler<CollectHandler, JsonElement, IReadOnlyList<CollectHandler.Parent>>("collect")
        .AddJobHandler<RecordHandler, JsonElement, RecordHandler.Result>("record");

    /// <summary>Succeeds at once, with no result.</summary>
    public sealed class NoopHandler : IJobHandler<JsonElement, object?>
    {
        public Task<object?> HandleAsync(JsonElement payload, JobContext context, CancellationToken cancellationToken) =>
            Task.FromResult<object?>(null);
    }

    /// <summary>Succeeds with its payload as the result.</summary>
    public sealed class EchoHandler : IJobHandler<JsonElement, JsonElement>
    {
        public Task<JsonElement> HandleAsync(JsonElement payload, JobContext context, CancellationToken cancellationToken) =>
            Task.FromResult(payload);
    }

    /// <summary>Waits <c>ms</c> milliseconds, honouring cancellation and timeout.</summary>
    public sealed class SleepHandler : IJobHandler<SleepHandler.Payload, object?>
    {
        public sealed record Payload(int Ms);

        public async Task<object?> HandleAsync(Payload payload, JobContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, payload.Ms)), cancellationToken);
            return null;
        }
    }

    /// <summary>
    /// Keeps its thread busy for <c>ms</c> milliseconds of CPU time, honouring cancellation and
    /// timeout: the CPU-bound counterpart of <c>sleep</c>, as resizing images or hashing files are
    /// to waiting on a service. CPU time, not wall time, where Linux tells the thread's (so on a
    /// starved CPU it takes longer, as real work does); wall time elsewhere. With <c>afterAwait</c>
    /// it first yields, as a handler that awaits its input before it computes, so it spins on the
    /// thread its continuation runs on.
    /// </summary>
    public sealed class SpinHandler : IJobHandler<SpinHandler.Payload, object?>
    {
        private const string ThreadSchedStat = "/proc/thread-self/schedstat";

        public sealed record Payload(int Ms, bool AfterAwait = false);

        public async Task<object?> HandleAsync(Payload payload, JobContext context, CancellationToken cancellationToken)
        {
            if (payload.AfterAwait)
            {
                await Task.Yield();
            }

            Spin(payload, cancellationToken);
            return null;
        }

        private static void Spin(Payload payload, CancellationToken cancellationToken)
        {
            var budget = TimeSpan.FromMilliseconds(Math.Max(0, payload.Ms));
            var wall = Stopwatch.StartNew();
            var cpuAtStart = ThreadCpuTime();
            while ((cpuAtStart is { } start && ThreadCpuTime() is { } now ? now - start : wall.Elapsed) < budget)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Thread.SpinWait(1_000);
            }
        }

        /// <summary>The CPU time this thread has used; null where the kernel does not tell.</summary>
        private static TimeSpan? ThreadCpuTime() =>
            SchedulerStatistics.Read(ThreadSchedStat) is { } statistics ? TimeSpan.FromTicks(statistics.OnCpuNs / 100) : null;
    }

    /// <summary>
    /// Fails its first <c>times</c> attempts and then succeeds; with <c>always</c> it never
    /// succeeds; <c>message</c>, when given, is the error it fails with.
    /// </summary>
    public sealed class FailHandler : IJobHandler<FailHandler.Payload, FailHandler.Succeeded>
    {
        public sealed record Payload(int Times, bool Always, string? Message);

        public sealed record Succeeded(int Attempts);

        public Task<Succeeded> HandleAsync(Payload payload, JobContext context, CancellationToken cancellationToken) =>
            payload.Always || context.Attempt <= payload.Times
                ? throw new InvalidOperationException(payload.Message ?? $"fail: attempt {context.Attempt} fails as asked.")
                : Task.FromResult(new Succeeded(context.Attempt));
    }

    /// <summary>
    /// Succeeds with how each job it depends on ended: <c>[{ id, type, status, result, error }]</c>,
    /// in id order (a workflow's join step, reading its parents' results).
    /// </summary>
    public sealed class CollectHandler : IJobHandler<JsonElement, IReadOnlyList<CollectHandler.Parent>>
    {
        public sealed record Parent(Guid Id, string Type, string Status, JsonElement? Result, string? Error);

        public async Task<IReadOnlyList<Parent>> HandleAsync(JsonElement payload, JobContext context, CancellationToken cancellationToken) =>
            (await context.GetParentsAsync(cancellationToken))
                .Select(p => new Parent(p.Id, p.Type, AspireJobs.Core.Jobs.JobStatusText.Of(p.Status),
                    p.ResultJson is null ? null : JsonDocument.Parse(p.ResultJson).RootElement.Clone(), p.Error))
                .ToList();
    }
}
