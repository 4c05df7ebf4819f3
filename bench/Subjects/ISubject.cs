namespace AspireJobs.Bench.Subjects;

/// <summary>A job system under test: started once, measured in rounds, stopped.</summary>
public interface ISubject : IAsyncDisposable
{
    string Name { get; }

    Task StartAsync();

    /// <summary>One round of every figure this system has.</summary>
    Task<IReadOnlyList<Measurement>> RunRoundAsync();
}
