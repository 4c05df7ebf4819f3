using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.Core.Dispatch;

/// <summary>
/// The fairness guarantee: under sustained high-priority load, a low-priority job starts within
/// the configured starvation limit (plus the time until a worker next takes a job), however the
/// bands are weighted; and a backlog of starved low jobs does not starve the high band in turn.
/// </summary>
public sealed class FairnessTests(TestServers servers)
{
    [Fact]
    public async Task ALowJob_StartsWithinTheStarvationLimit_UnderSustainedHighLoad()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var dispatcher = new JobDispatcher(servers.RedisConnection, TestServers.NewRedisKeys(), clock);
        var limit = TimeSpan.FromMilliseconds(400);
        // Weights that would starve the low band for a long time: one pick in a thousand.
        var policy = new FairnessPolicy(HighWeight: 998, MediumWeight: 1, LowWeight: 1, StarvationLimit: limit);
        var worker = Guid.NewGuid();

        await dispatcher.EnqueueAsync(Enumerable.Range(0, 200).Select(_ => new QueuedJob(Guid.CreateVersion7(), 5)).ToList());
        var low = Guid.CreateVersion7();
        await dispatcher.EnqueueAsync([new QueuedJob(low, 1)]);
        var enqueuedAt = clock.GetUtcNow();

        // Workers keep taking one job at a time while producers keep the high band full.
        TimeSpan? startedAfter = null;
        var highTaken = 0;
        while (startedAfter is null && clock.GetUtcNow() - enqueuedAt < TimeSpan.FromSeconds(20))
        {
            await dispatcher.EnqueueAsync([new QueuedJob(Guid.CreateVersion7(), 5), new QueuedJob(Guid.CreateVersion7(), 4)]);
            foreach (var id in await dispatcher.AcquireIdsAsync(worker, 1, TimeSpan.FromSeconds(30), policy))
            {
                if (id == low)
                {
                    startedAfter = clock.GetUtcNow() - enqueuedAt;
                }
                else
                {
                    highTaken++;
                }
            }

            clock.Advance(TimeSpan.FromMilliseconds(5)); // a worker takes a job every 5 ms
        }

        Assert.NotNull(startedAfter);
        Assert.True(highTaken > 10, $"the high band kept the workers busy ({highTaken} taken first)");
        // It waited for the limit (aging, not the weights, let it in), and not one pick longer.
        Assert.InRange(startedAfter.Value, limit, limit + TimeSpan.FromMilliseconds(5));
    }

    [Fact]
    public async Task ABacklogOfOldLowJobs_EachStarvedInItsTurn_StillLeavesTheHighBandItsTurns()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var dispatcher = new JobDispatcher(servers.RedisConnection, TestServers.NewRedisKeys(), clock);
        var policy = FairnessPolicy.Default with { StarvationLimit = TimeSpan.FromMilliseconds(100) };
        var worker = Guid.NewGuid();

        // A bulk import of low jobs, all of them past the limit by the time high ones arrive.
        await dispatcher.EnqueueAsync(Enumerable.Range(0, 200).Select(_ => new QueuedJob(Guid.CreateVersion7(), 1)).ToList());
        clock.Advance(TimeSpan.FromMilliseconds(200));
        var high = Enumerable.Range(0, 10).Select(_ => Guid.CreateVersion7()).ToList();
        await dispatcher.EnqueueAsync([.. high.Select(id => new QueuedJob(id, 5))]);

        // Taken one at a time, as busy workers free their slots one by one.
        var picks = new List<Guid>();
        for (var pick = 0; pick < 40; pick++)
        {
            picks.AddRange(await dispatcher.AcquireIdsAsync(worker, 1, TimeSpan.FromSeconds(30), policy));
        }

        // Aging takes every other job, the cycle the rest: 9 of its 10 turns go to the high band
        // (its 6 and the empty medium band's 3), so every high job starts within 22 picks, where
        // aging alone would have taken the whole backlog of 200 first.
        Assert.All(high, id => Assert.InRange(picks.IndexOf(id), 0, 21));
        Assert.Equal(40, picks.Count);
    }
}
