using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

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
    public string Type { get; } = type;

    public abstract Task<string?> InvokeAsync(IServiceProvider services, string payloadJson, JobContext context, CancellationToken cancellationToken);
}

internal sealed class JobHandlerInvoker<THandler, TPayload, TResult>(string type, JsonSerializerOptions json) : JobHandlerInvoker(type)
    where THandler : IJobHandler<TPayload, TResult>
{
    private readonly JsonTypeInfo<TPayload> _payload = TypeInfo<TPayload>(json, type);
    private readonly JsonTypeInfo<TResult> _result = TypeInfo<TResult>(json, type);

    public override async Task<string?> InvokeAsync(IServiceProvider services, string payloadJson, JobContext context, CancellationToken cancellationToken)
    {
        TPayload payload;
        try
        {
            payload = JsonSerializer.Deserialize(payloadJson, _payload)!;
        }
        catch (JsonException e)
        {
            throw new PermanentJobException($"The payload does not fit {typeof(TPayload).Name}: {e.Message}", e);
        }

        var handler = services.GetRequiredService<THandler>();
        var result = await handler.HandleAsync(payload, context, cancellationToken);
        return result is null ? null : JsonSerializer.Serialize(result, _result);
    }

    private static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions json, string type)
    {
        try
        {
            return (JsonTypeInfo<T>)json.GetTypeInfo(typeof(T));
        }
        catch (NotSupportedException e)
        {
            throw new InvalidOperationException(
                $"Job type '{type}': {typeof(T).Name} has no JSON metadata. List it in a JsonSerializerContext added to JobJsonOptions.SerializerOptions.TypeInfoResolverChain.", e);
        }
    }
}
