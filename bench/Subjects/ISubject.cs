namespace AspireJobs.Bench.Subjects;

/// <summary>A job system under test: started once, measured in rounds, stopped.</summary>
public interface ISubject : IAsyncDisposable
{
    string Name { get; }

    Task StartAsync();

    /// <summary>
    /// The first jobs of the freshly started system, before anything else has run: measured once,
    /// as a user's first burst after a deploy meets it.
    /// </summary>
    Task<IReadOnlyList<Measurement>> RunColdAsync() => Task.FromResult<IReadOnlyList<Measurement>>([]);

    /// <summary>
    /// Runs once before the rounds, unrecorded, so that rounds measure warm processes (a first
    /// pass through .NET's just-in-time compiler costs more than the rest of a round).
    /// </summary>
    Task WarmUpAsync() => Task.CompletedTask;

    /// <summary>One round of every figure this system has.</summary>
    Task<IReadOnlyList<Measurement>> RunRoundAsync();
}
