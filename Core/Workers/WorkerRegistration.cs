namespace AspireJobs.Core.Workers;

/// <summary>What a worker process says about itself when it starts.</summary>
public sealed record WorkerRegistration(
    Guid Id,
    string Name,
    string Host,
    int ProcessId,
    string Version,
    IReadOnlyList<string> JobTypes,
    int Concurrency);
