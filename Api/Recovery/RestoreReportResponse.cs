using AspireJobs.Core.Jobs;
using AspireJobs.Core.Recovery;

namespace AspireJobs.Api.Recovery;

/// <summary>
/// The diff a restore or a point-in-time recovery answers. <c>dryRun</c> unless applied;
/// <c>jobs</c> counts what is done with each job looked at; <c>transitions</c> are the state
/// changes the restore makes (or made); <c>examples</c> are the first of them.
/// </summary>
public sealed record RestoreReportResponse(
    bool DryRun,
    string Mode,
    int Considered,
    int Changes,
    RestoreActionCounts Jobs,
    IReadOnlyList<RestoreTransitionResponse> Transitions,
    IReadOnlyList<RestoreExampleResponse> Examples,
    int? Restored,
    int? ChangedMeanwhile,
    Guid? UndoSnapshotId)
{
    public static RestoreReportResponse From(RestoreReport report) => new(
        !report.Applied,
        RestoreModeText.Of(report.Mode),
        report.Considered,
        Count(report, RestoreAction.Restore),
        new RestoreActionCounts(
            Count(report, RestoreAction.Restore),
            Count(report, RestoreAction.Unchanged),
            Count(report, RestoreAction.KeptRunning),
            Count(report, RestoreAction.KeptByMode),
            Count(report, RestoreAction.Missing)),
        [.. report.Transitions.Select(t => new RestoreTransitionResponse(JobStatusText.Of(t.From), JobStatusText.Of(t.To), t.Count))],
        [.. report.Examples.Select(e => new RestoreExampleResponse(
            e.Id, e.Type, JobStatusText.Of(e.From), JobStatusText.Of(e.To), e.PriorityFrom, e.PriorityTo, e.AttemptsNow, e.AttemptsThen, $"/api/jobs/{e.Id}"))],
        report.Applied ? report.Restored : null,
        report.Applied ? report.ChangedMeanwhile : null,
        report.UndoSnapshotId);

    private static int Count(RestoreReport report, RestoreAction action) => report.Actions.GetValueOrDefault(action);
}

/// <summary>What a restore does with the jobs it looks at: put back, already so, left running, kept by the mode, or gone.</summary>
public sealed record RestoreActionCounts(int Restore, int Unchanged, int KeptRunning, int KeptByMode, int Missing);

public sealed record RestoreTransitionResponse(string From, string To, int Count);

public sealed record RestoreExampleResponse(Guid Id, string Type, string From, string To, int PriorityFrom, int PriorityTo, int AttemptsNow, int AttemptsThen, string Href);
