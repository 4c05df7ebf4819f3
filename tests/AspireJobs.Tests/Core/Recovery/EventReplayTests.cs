using AspireJobs.Core.Jobs;
using AspireJobs.Core.Recovery;
using FsCheck;
using FsCheck.Fluent;

namespace AspireJobs.Tests.Core.Recovery;

public sealed class EventReplayTests
{
    [Fact]
    public void Undo_GivesTheStateThatWasThere_AtAnyMomentOfARandomHistory()
    {
        var cases =
            from seed in Gen.Choose(0, int.MaxValue)
            from steps in Gen.Choose(0, 40)
            from cut in Gen.Choose(0, 1_000)
            select (seed, steps, cut);
        var property = Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var history = JobHistory.Play(c.seed, c.steps);
            var (at, then) = history.States[c.cut % history.States.Count];
            var now = history.States[^1].State;
            var since = history.Events.Where(e => e.At > at).ToList();

            var replayed = EventReplay.Undo(now, since);

            // A due time is known to the promotion that followed it, which may have come late.
            var promoted = since.FirstOrDefault(e => e.From == JobStatus.Scheduled && e.To == JobStatus.Queued)?.At ?? then.ScheduledAt;
            return Same(then, replayed, promoted).Label($"seed {c.seed}, {c.steps} steps, at {at:T}: was {then}, replayed {replayed}");
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), property);
    }

    [Fact]
    public void Undo_OfAJobCreatedAfterTheTime_IsNothing()
    {
        var history = JobHistory.Play(seed: 7, steps: 5);

        Assert.Null(EventReplay.Undo(history.States[^1].State, history.Events));
    }

    [Fact]
    public void Undo_WithNoEventsSince_IsTheJobAsItIs()
    {
        var now = new JobState(JobStatus.Queued, 3, 4, 2, 1, 0, 5, DateTimeOffset.UnixEpoch);

        Assert.Same(now, EventReplay.Undo(now, []));
    }

    private static bool Same(JobState then, JobState? replayed, DateTimeOffset promoted) =>
        replayed is not null
        && replayed.Status == then.Status
        && replayed.Priority == then.Priority
        && replayed.EffectivePriority == then.EffectivePriority
        && replayed.Attempts == then.Attempts
        && replayed.Failures == then.Failures
        && replayed.Crashes == then.Crashes
        && (then.Status != JobStatus.Scheduled || (replayed.ScheduledAt >= then.ScheduledAt && replayed.ScheduledAt <= promoted));
}
