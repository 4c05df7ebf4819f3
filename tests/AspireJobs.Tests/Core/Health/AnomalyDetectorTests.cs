using AspireJobs.Core.Health;

namespace AspireJobs.Tests.Core.Health;

public sealed class AnomalyDetectorTests
{
    private const long MiB = 1024 * 1024;
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly Prediction Steady = new(1, null, null, 0, RecommendedAction.None);

    private static HealthSample Sample(
        double jitterMs = 1.1, long memory = 120 * MiB, long attempts = 0, long failed = 0, double gcShare = 0.001,
        Dictionary<string, double>? runs = null, double cpuWait = 0.02) =>
        new(Guid.NewGuid(), 1, 1, 1, jitterMs, 0, 0, 0, memory, 5, 1, attempts == 0 ? null : (double)failed / attempts,
            runs ?? [], Steady)
        {
            WindowAttempts = attempts,
            WindowFailed = failed,
            GcPauseShare = gcShare,
            CpuWaitShare = cpuWait,
        };

    /// <summary>Thirty earlier samples of a steady worker: jitter 1.0–1.2 ms, memory 118–122 MiB, 2 % errors, 40 ms runs.</summary>
    private static List<HealthHistoryPoint> SteadyHistory(Func<int, double>? runMs = null) =>
        Enumerable.Range(0, 30).Select(i => new HealthHistoryPoint(
            Now.AddSeconds(-5 * (30 - i)), 1, 0.02, (120 + i % 5 - 2) * MiB, 1.0 + i % 3 * 0.1,
            new Dictionary<string, double> { ["resize"] = runMs?.Invoke(i) ?? 40 + i % 4 }, Steady) { GcPauseShare = 0.001, CpuWaitShare = 0.01 + i % 3 * 0.01 }).ToList();

    private static List<HealthSample> HealthyPeers(int count, Func<HealthSample>? make = null) =>
        Enumerable.Range(0, count).Select(_ => make?.Invoke() ?? Sample()).ToList();

    [Fact]
    public void AWobbleOfANearConstantJitter_IsNoAnomaly_ThoughItsZScoreIsHuge()
    {
        var wobble = Sample(jitterMs: 4.4); // the false alarm operators saw: 4.4 ms against 1.1 ms

        Assert.Empty(AnomalyDetector.Find(wobble, SteadyHistory(), HealthyPeers(2), AnomalyRules.Default));
        Assert.True(RobustBaseline.Of([1.0, 1.1, 1.2, 1.0, 1.1]).Z(4.4) > 20); // 22 robust spreads
    }

    [Fact]
    public void AStall_IsFlaggedAgainstTheWorkersOwnHistory_WithTheEvidence()
    {
        var stalled = Sample(jitterMs: 2_300);

        var anomaly = Assert.Single(AnomalyDetector.Find(stalled, SteadyHistory(), HealthyPeers(2), AnomalyRules.Default));

        Assert.Equal((WatchedMetric.HeartbeatJitterMs, FleetHealth.SelfBaseline), (anomaly.Metric, anomaly.Baseline));
        var evidence = anomaly.Evidence;
        Assert.Equal(2_300, evidence.Value);
        Assert.Equal(1.1, evidence.Median, 9);
        Assert.Equal(2_300 - 1.1, evidence.Deviation, 9);
        Assert.Equal(AnomalyFloors.DefaultHeartbeatJitterMs, evidence.Floor);
        Assert.Equal(1.1, evidence.FleetMedian!.Value, 9);
        Assert.Contains("heartbeat_jitter_ms 2300 is 2299 above its own median 1.1 (floor 250", evidence.Reason(anomaly.Metric, anomaly.Baseline), StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_MustRiseByItsFloorAsWellAsByTheZScore()
    {
        var history = SteadyHistory();

        Assert.Empty(AnomalyDetector.Find(Sample(memory: 135 * MiB), history, [], AnomalyRules.Default)); // many spreads above, but only 12 % and 15 MiB
        var leak = Assert.Single(AnomalyDetector.Find(Sample(memory: 200 * MiB), history, [], AnomalyRules.Default));
        Assert.Equal(WatchedMetric.MemoryBytes, leak.Metric);
        Assert.Equal(Math.Max(AnomalyFloors.DefaultMemoryBytes, 0.2 * 120 * MiB), leak.Evidence.Floor, 0);
        Assert.Null(leak.Evidence.FleetMedian);
    }

    [Fact]
    public void OnlyRisesCount()
    {
        var improved = Sample(jitterMs: 0.1, memory: 40 * MiB, attempts: 100, failed: 0, runs: new() { ["resize"] = 1 });

        Assert.Empty(AnomalyDetector.Find(improved, SteadyHistory(), HealthyPeers(2), AnomalyRules.Default));
    }

    [Fact]
    public void WhatTheWholeFleetSees_FlagsNoSingleWorker()
    {
        // The database slowed down: every worker's runs of one type take 400 ms instead of 40.
        var slow = new Dictionary<string, double> { ["resize"] = 400 };
        var worker = Sample(runs: slow);

        Assert.Empty(AnomalyDetector.Find(worker, SteadyHistory(), HealthyPeers(2, () => Sample(runs: new() { ["resize"] = 380 })), AnomalyRules.Default));

        // The same value on a worker whose peers run as they always did is its own trouble.
        var alone = Assert.Single(AnomalyDetector.Find(worker, SteadyHistory(), HealthyPeers(2, () => Sample(runs: new() { ["resize"] = 41 })), AnomalyRules.Default));
        Assert.Equal((WatchedMetric.RunDuration("resize"), FleetHealth.SelfBaseline), (alone.Metric, alone.Baseline));
    }

    [Fact]
    public void ErrorRates_AreJudgedOnEnoughAttempts_AndByHowUnlikelyTheFailuresAre_OverTwoWindows()
    {
        // The window before this one failed half its attempts too.
        var history = SteadyHistory().Select((h, i) => i == 29 ? h with { ErrorRate = 0.5 } : h).ToList();
        var peers = HealthyPeers(2, () => Sample(attempts: 40, failed: 1));

        Assert.Empty(AnomalyDetector.Find(Sample(attempts: 5, failed: 5), history, peers, AnomalyRules.Default)); // too few attempts to say
        var burst = AnomalyDetector.Find(Sample(attempts: 40, failed: 20), history, peers, AnomalyRules.Default);
        Assert.Equal([FleetHealth.SelfBaseline, FleetHealth.FleetBaseline], burst.Select(a => a.Baseline));
        Assert.All(burst, a => Assert.Equal((WatchedMetric.ErrorRate, 0.5), (a.Metric, a.Evidence.Value)));

        // Failing jobs sent to every worker: about a third of each one's attempts fail.
        var everyone = HealthyPeers(2, () => Sample(attempts: 30, failed: 10));
        Assert.Empty(AnomalyDetector.Find(Sample(attempts: 30, failed: 16), history, everyone, AnomalyRules.Default));

        // The moment failing jobs reach the whole fleet: this worker's window is full of them, the
        // others' windows still half precede them. One window is not the worker's trouble.
        var reaching = HealthyPeers(2, () => Sample(attempts: 60, failed: 14));
        Assert.Empty(AnomalyDetector.Find(Sample(attempts: 60, failed: 30), SteadyHistory(), reaching, AnomalyRules.Default));
    }

    [Fact]
    public void AWorkerTooNewForABaseline_FailingBesideTwoHealthyPeers_IsFlaggedAgainstTheFleet()
    {
        // Its first window with finished attempts already failed most of them; its second too.
        var firstWindow = SteadyHistory().TakeLast(1).Select(h => h with { ErrorRate = 0.9 }).ToList();
        var peers = HealthyPeers(2, () => Sample(attempts: 17, failed: 3));

        var anomaly = Assert.Single(AnomalyDetector.Find(Sample(attempts: 17, failed: 15), firstWindow, peers, AnomalyRules.Default));

        Assert.Equal((WatchedMetric.ErrorRate, FleetHealth.FleetBaseline), (anomaly.Metric, anomaly.Baseline));
        Assert.Equal(3.0 / 17, anomaly.Evidence.FleetMedian!.Value, 9);
    }

    [Fact]
    public void TheOthersFewAttempts_AreWeighedAsTheLittleEvidenceTheyAre()
    {
        var failedBefore = SteadyHistory().TakeLast(1).Select(h => h with { ErrorRate = 0.4 }).ToList();
        var failing = Sample(attempts: 10, failed: 4);

        // 4 failures of 10 beside 0 of 10: all four falling to one worker by chance is 1 in 23.
        Assert.Empty(AnomalyDetector.Find(failing, failedBefore, [Sample(attempts: 10, failed: 0)], AnomalyRules.Default));

        // Beside 0 of 1,000 it is 1 in 200 million.
        Assert.Single(AnomalyDetector.Find(failing, failedBefore, [Sample(attempts: 1_000, failed: 0)], AnomalyRules.Default));
    }

    [Fact]
    public void TheFleetBaseline_NeedsEnoughOtherWorkers()
    {
        var outlier = Sample(memory: 400 * MiB);
        var peers = HealthyPeers(AnomalyRules.DefaultMinimumFleet, () => Sample(memory: 120 * MiB));

        var anomaly = Assert.Single(AnomalyDetector.Find(outlier, [], peers, AnomalyRules.Default));
        Assert.Equal((WatchedMetric.MemoryBytes, FleetHealth.FleetBaseline), (anomaly.Metric, anomaly.Baseline));
        Assert.Empty(AnomalyDetector.Find(outlier, [], peers.Take(AnomalyRules.DefaultMinimumFleet - 1).ToList(), AnomalyRules.Default));
    }

    [Fact]
    public void GcPressure_IsFlaggedWhenItLastsAndPassesItsShareFloor()
    {
        static List<HealthHistoryPoint> PausingBefore(double share) =>
            SteadyHistory().Select((h, i) => i == 29 ? h with { GcPauseShare = share } : h).ToList();

        var pressed = Assert.Single(AnomalyDetector.Find(Sample(gcShare: 0.2), PausingBefore(0.25), HealthyPeers(2), AnomalyRules.Default));
        Assert.Equal((WatchedMetric.GcPauseShare, 0.2), (pressed.Metric, pressed.Evidence.Value));

        // Below the floor, however long it lasts.
        Assert.Empty(AnomalyDetector.Find(Sample(gcShare: 0.03), PausingBefore(0.03), HealthyPeers(2), AnomalyRules.Default));

        // One collection that lost its CPU mid-pause fills one short window, not the next.
        Assert.Empty(AnomalyDetector.Find(Sample(gcShare: 0.077), SteadyHistory(), HealthyPeers(2), AnomalyRules.Default));
        Assert.Empty(AnomalyDetector.Find(Sample(gcShare: 0.001), PausingBefore(0.25), HealthyPeers(2), AnomalyRules.Default));
    }

    [Fact]
    public void CpuStarvation_IsFlaggedWhenItLastsAndPassesItsFloor_ButNotWhenTheWholeHostIsBusy()
    {
        // Its threads waited about 600 ms a second for a CPU for three samples, against 10-30 ms before and at its peers.
        static List<HealthHistoryPoint> WaitingSince(int samples, double wait) =>
            SteadyHistory().Select((h, i) => i >= 30 - samples ? h with { CpuWaitShare = wait } : h).ToList();
        var starving = WaitingSince(2, 0.65);

        var starved = Assert.Single(AnomalyDetector.Find(Sample(cpuWait: 0.6), starving, HealthyPeers(2), AnomalyRules.Default));
        Assert.Equal((WatchedMetric.CpuWaitShare, 0.6), (starved.Metric, starved.Evidence.Value));

        // One sample of waiting (a process starting beside it) is a moment, not starvation.
        Assert.Empty(AnomalyDetector.Find(Sample(cpuWait: 0.6), SteadyHistory(), HealthyPeers(2), AnomalyRules.Default));
        Assert.Empty(AnomalyDetector.Find(Sample(cpuWait: 0.6), WaitingSince(1, 0.65), HealthyPeers(2), AnomalyRules.Default));

        // The z-score is huge, the floor is not passed.
        Assert.Empty(AnomalyDetector.Find(Sample(cpuWait: 0.09), WaitingSince(2, 0.09), HealthyPeers(2), AnomalyRules.Default));

        // A build running beside the whole fleet: every worker waits, some more than others.
        Assert.Empty(AnomalyDetector.Find(Sample(cpuWait: 0.6), starving, HealthyPeers(2, () => Sample(cpuWait: 0.55)), AnomalyRules.Default));
        Assert.Empty(AnomalyDetector.Find(Sample(cpuWait: 0.6), starving, HealthyPeers(2, () => Sample(cpuWait: 0.35)), AnomalyRules.Default));
        Assert.Single(AnomalyDetector.Find(Sample(cpuWait: 0.8), WaitingSince(2, 0.8), HealthyPeers(2, () => Sample(cpuWait: 0.35)), AnomalyRules.Default));
    }

    [Fact]
    public void ABaselineTooShort_JudgesNothing()
    {
        Assert.Empty(AnomalyDetector.Find(Sample(jitterMs: 5_000), SteadyHistory().Take(AnomalyRules.DefaultMinimumSamples - 1).ToList(), [], AnomalyRules.Default));
    }
}
