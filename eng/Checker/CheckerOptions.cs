namespace AspireJobs.Checker;

/// <summary>How hard and how long the checker pushes: the short run for the tests, the long one for the benchmark.</summary>
public sealed record CheckerOptions
{
    /// <summary>Clients creating jobs all the time, in batches and one by one.</summary>
    public int Creators { get; init; } = 2;

    public int BatchSize { get; init; } = 20;

    /// <summary>Each creator's pause between requests: the load is steady, not a flood.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the load runs before the first fault, and after each recovery.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a fault may take to recover from (a job created after it completes) before it counts as never.</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the jobs may take to finish once the faults are over.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Faults are injected round after round, in a shuffled order after the first, until this much time has passed (one round at least).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.Zero;

    /// <summary>Called every so often with a line about the run (memory, sessions), for the long run.</summary>
    public Func<Task<string>>? Sample { get; init; }
}
