namespace AspireJobs.AppHost.Lifecycle;

/// <summary>The whole of apphost.json.</summary>
public sealed record StatusDocument(int AppHostProcessId, DateTimeOffset UpdatedAt, string Infrastructure, IReadOnlyList<ResourceStatus> Resources);

/// <summary>
/// One resource instance: <c>name</c> is the instance's own (<c>worker-abcdefgh</c>) for a
/// resource with replicas and the resource's otherwise; <c>resource</c> is the resource's name in
/// the model; <c>state</c> and <c>health</c> are Aspire's.
/// </summary>
public sealed record ResourceStatus(
    string Name,
    string Resource,
    string Type,
    string? State,
    string? Health,
    int? ProcessId,
    IReadOnlyList<string> Endpoints,
    int Restarts,
    int? ExitCode);
