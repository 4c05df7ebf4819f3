namespace AspireJobs.Core.Workflows;

/// <summary>
/// What a job does when a job it depends on ends <c>dead_lettered</c> or <c>cancelled</c>
/// (<c>onDependencyFailure</c> in a job request; <c>jobs.on_dependency_failure</c>).
/// </summary>
public enum DependencyFailurePolicy
{
    /// <summary>It is cancelled too, with an error naming the parent, and so on down the graph.</summary>
    Cancel,

    /// <summary>It is released at once and runs anyway; its handler sees how each parent ended.</summary>
    Run,

    /// <summary>The failed parent is dropped from its wait; it still waits for the others.</summary>
    Ignore,
}

/// <summary>The one spelling of each <see cref="DependencyFailurePolicy"/> in SQL and JSON.</summary>
public static class DependencyFailurePolicyText
{
    public static string Of(DependencyFailurePolicy policy) => policy switch
    {
        DependencyFailurePolicy.Cancel => "cancel",
        DependencyFailurePolicy.Run => "run",
        DependencyFailurePolicy.Ignore => "ignore",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, null),
    };

    public static bool TryParse(string? text, out DependencyFailurePolicy policy)
    {
        switch (text)
        {
            case "cancel": policy = DependencyFailurePolicy.Cancel; return true;
            case "run": policy = DependencyFailurePolicy.Run; return true;
            case "ignore": policy = DependencyFailurePolicy.Ignore; return true;
            default: policy = default; return false;
        }
    }

    public static DependencyFailurePolicy Parse(string text) =>
        TryParse(text, out var policy) ? policy : throw new FormatException($"'{text}' is not a dependency failure policy.");

    public static IReadOnlyList<string> All { get; } = Enum.GetValues<DependencyFailurePolicy>().Select(Of).ToArray();
}
