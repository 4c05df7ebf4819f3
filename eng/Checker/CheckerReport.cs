using System.Globalization;
using System.Text;

namespace AspireJobs.Checker;

/// <summary>What one fault class did: how often it was injected, the jobs acknowledged meanwhile, what of them was lost or duplicated, and the slowest recovery.</summary>
public sealed record FaultOutcome(string Fault, int Injected, int Jobs, int Lost, int Duplicated, TimeSpan? WorstRecovery);

/// <summary>
/// The checker's verdict: one line per fault class, then every broken promise by job, and the
/// count check (Api, database, effects) and the sessions before and after.
/// </summary>
public sealed record CheckerReport(
    IReadOnlyList<FaultOutcome> Faults,
    IReadOnlyList<string> Problems,
    long Acknowledged,
    long ApiCompleted,
    long DatabaseCompleted,
    long CompletedWithEffect,
    long SessionsBefore,
    long SessionsAfter,
    long BusySessionsAfter,
    TimeSpan Elapsed)
{
    public bool NothingLostOrDuplicated => Problems.Count == 0 && Faults.All(f => f.Lost == 0 && f.Duplicated == 0 && f.WorstRecovery is not null);

    public bool CountsAgree => ApiCompleted == DatabaseCompleted && DatabaseCompleted == CompletedWithEffect;

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"fault",-40} {"injected",8} {"jobs",7} {"lost",5} {"dup",5} {"recovery",9}");
        foreach (var f in Faults)
        {
            var recovery = f.WorstRecovery is { } r ? $"{r.TotalSeconds:0.0} s" : "never";
            text.AppendLine(CultureInfo.InvariantCulture, $"{f.Fault,-40} {f.Injected,8} {f.Jobs,7} {f.Lost,5} {f.Duplicated,5} {recovery,9}");
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"{Acknowledged} jobs acknowledged in {Elapsed.TotalSeconds:0} s; completed: Api {ApiCompleted}, database {DatabaseCompleted}, with their effect {CompletedWithEffect}; "
            + $"database sessions {SessionsBefore} before, {SessionsAfter} after ({BusySessionsAfter} not idle)");
        foreach (var problem in Problems.Take(20))
        {
            text.AppendLine(problem);
        }

        return text.ToString();
    }
}
