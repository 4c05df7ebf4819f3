using System.Text.Json;

namespace AspireJobs.Worker.Handlers;

/// <summary>The job types this worker runs, each with the code that runs it.</summary>
public sealed class JobHandlerRegistry
{
    private readonly Dictionary<string, JobHandlerInvoker> _invokers;

    public JobHandlerRegistry(IEnumerable<JobHandlerInvoker> invokers)
    {
        _invokers = new Dictionary<string, JobHandlerInvoker>(StringComparer.Ordinal);
        foreach (var invoker in invokers)
        {
            if (!_invokers.TryAdd(invoker.Type, invoker))
            {
                throw new InvalidOperationException($"Job type '{invoker.Type}' has two handlers; register one handler per type.");
            }
        }
    }

    public IReadOnlyCollection<string> Types => _invokers.Keys;

    public bool TryGet(string type, out JobHandlerInvoker invoker) => _invokers.TryGetValue(type, out invoker!);
}

/// <summary>Calls one handler with a payload in JSON and returns its result in JSON (null for none).</summary>
public abstract class JobHandlerInvoker(string type)
{
    /// <summary>Payloads and results in the contract's JSON style: camelCase, case-insensitive on read.</summary>
    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Type { get; } = type;

    public abstract Task<string?> InvokeAsync(IServiceProvider services, string payloadJson, JobContext context, CancellationToken cancellationToken);
}

internal sealed class JobHandlerInvoker<THandler, TPayload, TResult>(string type) : JobHandlerInvoker(type)
    where THandler : IJobHandler<TPayload, TResult>
{
    public override async Task<string?> InvokeAsync(IServiceProvider services, string payloadJson, JobContext context, CancellationToken cancellationToken)
    {
        TPayload payload;
        try
        {
            payload = JsonSerializer.Deserialize<TPayload>(payloadJson, Json)!;
        }
        catch (JsonException e)
        {
            throw new PermanentJobException($"The payload does not fit {typeof(TPayload).Name}: {e.Message}", e);
        }

        var handler = services.GetRequiredService<THandler>();
        var result = await handler.HandleAsync(payload, context, cancellationToken);
        return result is null ? null : JsonSerializer.Serialize(result, Json);
    }
}
