namespace AspireJobs.Core.Snapshots;

/// <summary>
/// What a snapshot's label may be, wherever one is given (the Api, the dashboard): 1-200
/// characters, as the column's check allows, without control characters.
/// </summary>
public static class SnapshotLabel
{
    public const int MaxLength = 200;

    public static readonly string Rule = $"The label must be text of 1-{MaxLength} characters without control characters.";

    public static bool IsValid(string label) => label.Length is > 0 and <= MaxLength && !label.Any(char.IsControl);
}
