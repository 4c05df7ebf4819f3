namespace AspireJobs.Core.Recovery;

/// <summary>What a restore is asked to do: its mode and filter, whether to apply or only answer the diff, and how many examples.</summary>
public sealed record RestoreRequest(RestoreMode Mode, RestoreFilter Filter, bool Apply, int ExampleLimit = RestoreRequest.DefaultExamples)
{
    public const int DefaultExamples = 20;
}
