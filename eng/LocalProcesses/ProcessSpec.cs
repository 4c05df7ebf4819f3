namespace AspireJobs.LocalProcesses;

/// <summary>
/// How to start one process: program, arguments, working directory and environment.
/// </summary>
public sealed record ProcessSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string?> Environment);
