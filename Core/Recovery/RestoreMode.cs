namespace AspireJobs.Core.Recovery;

/// <summary>
/// What a restore does with a job that moved on since the state it restores: a job "ran since"
/// when it started an attempt after that state (its attempts grew) or completed.
/// </summary>
public enum RestoreMode
{
    /// <summary>The newest result wins (the default): a job that completed since keeps it; every other job goes back.</summary>
    NewestWins,

    /// <summary>Leaves every job that ran since; only jobs changed without running (cancelled, re-prioritised) go back.</summary>
    Skip,

    /// <summary>Every job goes back, completed ones too: they run again.</summary>
    Overwrite,
}

/// <summary>The one spelling of each <see cref="RestoreMode"/> in JSON.</summary>
public static class RestoreModeText
{
    public const string Allowed = "skip, overwrite or newest-wins";

    public static string Of(RestoreMode mode) => mode switch
    {
        RestoreMode.Skip => "skip",
        RestoreMode.Overwrite => "overwrite",
        _ => "newest-wins",
    };

    public static bool TryParse(string? text, out RestoreMode mode)
    {
        mode = text switch
        {
            "skip" => RestoreMode.Skip,
            "overwrite" => RestoreMode.Overwrite,
            _ => RestoreMode.NewestWins,
        };
        return text is "skip" or "overwrite" or "newest-wins";
    }
}
