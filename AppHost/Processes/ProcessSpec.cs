namespace AspireJobs.AppHost.Processes;

/// <summary>
/// How to start one process: program, arguments, working directory, environment, and the OS
/// user to run it as (null: the current user).
/// </summary>
public sealed record ProcessSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string?> Environment,
    string? UserName = null);
