namespace AspireJobs.Checker;

/// <summary>
/// One class of fault: what is done to the system, and, for a fault that lasts, how long it is
/// held before <see cref="HealAsync"/> undoes it.
/// </summary>
public sealed record CheckerFault(
    string Name,
    Func<CheckedSystem, CancellationToken, Task> InjectAsync,
    TimeSpan Hold = default,
    Func<CheckedSystem, CancellationToken, Task>? HealAsync = null);
