using System.Text.Json;

namespace AspireJobs.Worker.Handlers;

/// <summary>
/// The job types every worker runs (DESIGN.md §4), used by tests, benchmarks and smoke checks:
/// <c>noop</c>, <c>echo</c>, <c>sleep</c> and <c>fail</c>.
/// </summary>
public static class BuiltInJobHandlers
{
    public static IServiceCollection AddBuiltInJobHandlers(this IServiceCollection services) => services
        .AddJobHandler<NoopHandler>("noop")
        .AddJobHandler<EchoHandler>("echo")
        .AddJobHandler<SleepHandler>("sleep")
        .AddJobHandler<FailHandler>("fail");

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

    /// <summary>Fails its first <c>times</c> attempts and then succeeds; with <c>always</c> it never succeeds.</summary>
    public sealed class FailHandler : IJobHandler<FailHandler.Payload, object?>
    {
        public sealed record Payload(int Times, bool Always);

        public Task<object?> HandleAsync(Payload payload, JobContext context, CancellationToken cancellationToken) =>
            payload.Always || context.Attempt <= payload.Times
                ? throw new InvalidOperationException($"fail: attempt {context.Attempt} fails as asked.")
                : Task.FromResult<object?>(new { attempts = context.Attempt });
    }
}
