namespace AspireJobs.Core.Snapshots;

/// <summary>What a snapshot holds: every non-terminal job, or what changed since the snapshot before it.</summary>
public enum SnapshotKind
{
    Full,
    Incremental,
}

/// <summary>Why a snapshot was taken.</summary>
public enum SnapshotReason
{
    /// <summary>Someone asked for it.</summary>
    Manual,

    /// <summary>The health monitor's schedule.</summary>
    Automatic,

    /// <summary>Taken by a restore just before it applied, so the restore itself can be undone.</summary>
    BeforeRestore,
}

/// <summary>The one spelling of snapshot kinds and reasons in SQL and JSON.</summary>
public static class SnapshotText
{
    public static string Of(SnapshotKind kind) => kind == SnapshotKind.Full ? "full" : "incremental";

    public static string Of(SnapshotReason reason) => reason switch
    {
        SnapshotReason.Manual => "manual",
        SnapshotReason.Automatic => "automatic",
        _ => "before_restore",
    };

    public static bool TryParse(string? text, out SnapshotKind kind)
    {
        kind = text == "incremental" ? SnapshotKind.Incremental : SnapshotKind.Full;
        return text is "full" or "incremental";
    }

    public static SnapshotReason ReasonOf(string text) => text switch
    {
        "manual" => SnapshotReason.Manual,
        "automatic" => SnapshotReason.Automatic,
        _ => SnapshotReason.BeforeRestore,
    };
}
