using System.Reflection;

namespace AspireJobs.Worker;

/// <summary>
/// Who this worker process is: a new id per process, and a name an operator can match with the
/// orchestrator's (the replica's <c>service.instance.id</c> when an AppHost set one).
/// </summary>
public sealed record WorkerIdentity(Guid Id, string Name, string Host, int ProcessId, string Version)
{
    public static WorkerIdentity ForThisProcess(IConfiguration configuration)
    {
        var host = Environment.MachineName;
        var processId = Environment.ProcessId;
        var instance = InstanceId(configuration["OTEL_RESOURCE_ATTRIBUTES"]);
        var name = instance is null ? $"worker-{host}-{processId}" : $"worker-{instance}";
        var version = typeof(WorkerIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        return new WorkerIdentity(Guid.CreateVersion7(), name, host, processId, version);
    }

    /// <summary>The <c>service.instance.id</c> in an OTEL_RESOURCE_ATTRIBUTES list (<c>k=v,k=v</c>).</summary>
    internal static string? InstanceId(string? resourceAttributes) =>
        resourceAttributes?.Split(',')
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0].Trim() == "service.instance.id" && pair[1].Trim().Length > 0)
            .Select(pair => pair[1].Trim())
            .FirstOrDefault();
}
