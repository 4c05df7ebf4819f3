using AspireJobs.Core.Jobs;
using AspireJobs.Core.Recovery;

namespace AspireJobs.Tests.Core.Recovery;

/// <summary>
/// A random life of one job, played the way the statements in Core/Jobs/Sql and
/// Core/Workflows/Sql play it: every step changes the job and logs the event they log, one second
/// after the step before. <see cref="States"/> holds the job as it really was after each step.
/// </summary>
public sealed class JobHistory
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private JobHistory(List<JobEvent> events, List<(DateTimeOffset At, JobState State)> states)
    {
        Events = events;
        States = states;
    }

    public IReadOnlyList<JobEvent> Events { get; }

    public IReadOnlyList<(DateTimeOffset At, JobState State)> States { get; }

    public static JobHistory Play(int seed, int steps)
    {
        var random = new Random(seed);
        var events = new List<JobEvent>();
        var states = new List<(DateTimeOffset, JobState)>();
        var at = Start;
        var maxRetries = random.Next(0, 4);
        var priority = random.Next(1, 6);
        var scheduled = random.Next(3) == 0;
        var job = new JobState(scheduled ? JobStatus.Scheduled : JobStatus.Queued, priority, priority, 0, 0, 0, maxRetries,
            scheduled ? at.AddSeconds(random.Next(1, 30)) : at);
        events.Add(new JobEvent(1, null, job.Status, null, at));
        states.Add((at, job));

        for (var step = 0; step < steps; step++)
        {
            at = at.AddSeconds(1);
            if (job.Status == JobStatus.Scheduled && job.ScheduledAt > at && random.Next(2) == 0)
            {
                at = job.ScheduledAt; // nothing happens until it is due
            }

            var (next, e) = Step(job, at, events.Count + 1, random);
            if (e is null)
            {
                continue;
            }

            job = next;
            events.Add(e);
            states.Add((at, job));
        }

        return new JobHistory(events, states);
    }

    private static (JobState, JobEvent?) Step(JobState job, DateTimeOffset at, long id, Random random)
    {
        var choice = random.Next(10);
        if (choice == 0 && job.Status is JobStatus.Waiting or JobStatus.Scheduled or JobStatus.Queued or JobStatus.Running)
        {
            var priority = random.Next(1, 6);
            return (job with { Priority = priority, EffectivePriority = priority },
                new JobEvent(id, job.Status, job.Status, job.Attempts, at, "priority changed", Priority: priority, PriorityBefore: job.Priority));
        }

        if (choice == 1 && job.Status is JobStatus.Waiting or JobStatus.Scheduled or JobStatus.Queued)
        {
            return (job with { Status = JobStatus.Cancelled }, new JobEvent(id, job.Status, JobStatus.Cancelled, job.Attempts, at));
        }

        switch (job.Status)
        {
            case JobStatus.Scheduled when job.ScheduledAt <= at:
                // The promoter queues it once due, on time or a little late.
                return (job with { Status = JobStatus.Queued }, new JobEvent(id, JobStatus.Scheduled, JobStatus.Queued, job.Attempts, at));
            case JobStatus.Queued when random.Next(2) == 0:
                // A short attempt, its start and outcome written at once: one event from queued.
                var (ended, end) = Finish(job with { Status = JobStatus.Running, Attempts = job.Attempts + 1 }, at, id, random.Next(4));
                return (ended, end with { From = JobStatus.Queued, StartedAt = at.AddMilliseconds(-40) });
            case JobStatus.Queued:
                var started = job with { Status = JobStatus.Running, Attempts = job.Attempts + 1 };
                return (started, new JobEvent(id, JobStatus.Queued, JobStatus.Running, started.Attempts, at));
            case JobStatus.Running:
                return Finish(job, at, id, random.Next(4));
            case JobStatus.DeadLettered when random.Next(2) == 0:
                return (job with { Status = JobStatus.Queued, Failures = 0, ScheduledAt = at },
                    new JobEvent(id, JobStatus.DeadLettered, JobStatus.Queued, job.Attempts, at, "requeued"));
            default:
                return (job, null);
        }
    }

    private static (JobState, JobEvent) Finish(JobState job, DateTimeOffset at, long id, int outcome)
    {
        switch (outcome)
        {
            case 0:
                return (job with { Status = JobStatus.Completed }, new JobEvent(id, JobStatus.Running, JobStatus.Completed, job.Attempts, at));
            case 1:
                return (job with { Status = JobStatus.Queued, Crashes = job.Crashes + 1 },
                    new JobEvent(id, JobStatus.Running, JobStatus.Queued, job.Attempts, at, "worker died", "abandoned"));
            default:
                var failures = job.Failures + 1;
                var execution = outcome == 2 ? "failed" : "timed_out";
                if (failures > job.MaxRetries)
                {
                    return (job with { Status = JobStatus.DeadLettered, Failures = failures },
                        new JobEvent(id, JobStatus.Running, JobStatus.DeadLettered, job.Attempts, at, Outcome: execution));
                }

                var retryAt = at.AddSeconds(failures * 2);
                return (job with { Status = JobStatus.Scheduled, Failures = failures, ScheduledAt = retryAt },
                    new JobEvent(id, JobStatus.Running, JobStatus.Scheduled, job.Attempts, at, Outcome: execution, RetryAt: retryAt));
        }
    }
}
