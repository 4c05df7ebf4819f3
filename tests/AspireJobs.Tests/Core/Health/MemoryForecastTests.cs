using AspireJobs.Core.Health;

namespace AspireJobs.Tests.Core.Health;

public sealed class MemoryForecastTests
{
    private const double MiB = 1024 * 1024;
    private const double Budget = 512 * MiB;
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Horizon = TimeSpan.FromMinutes(10);
    private static readonly double Failing = HealthScore.FailingMemoryBytes(Budget, 0.3);

    private static List<TimedValue> Samples(int count, Func<int, double> bytes) =>
        Enumerable.Range(0, count).Select(i => new TimedValue(Start + Step * i, bytes(i))).ToList();

    [Fact]
    public void FailingMemoryBytes_IsWhereMemoryAloneBringsTheScoreToTheThreshold()
    {
        Assert.InRange(Failing, 0.5 * Budget, Budget);
        Assert.Equal(0.3, HealthScore.Compute(new HealthInputs(null, null, null, null, TimeSpan.Zero, Failing, Budget, 0)).Score, 6);
        Assert.True(HealthScore.Compute(new HealthInputs(null, null, null, null, TimeSpan.Zero, Failing - MiB, Budget, 0)).Score > 0.3);
    }

    [Fact]
    public void ARiseOfAlmostNothing_ForeseesNoTimeToFailure()
    {
        // A millionth of a byte a second: 200 MiB below the failing mark is beyond any TimeSpan.
        var outlook = MemoryForecast.Of(Samples(25, i => 100 * MiB + 1e-6 * 5 * i), Failing, Horizon, MemoryForecast.DefaultLookBack);

        Assert.NotNull(outlook);
        Assert.Null(outlook.TimeToFailure);
    }

    [Fact]
    public void ALeak_IsForeseen_BeforeItFailsTheWorker_WithTheTimeItTakes()
    {
        // 2 MiB a second from 100 MiB for 2 minutes: 338 MiB now, failing about 70 s from now.
        var leak = Samples(25, i => 100 * MiB + 2 * MiB * 5 * i);

        var outlook = MemoryForecast.Of(leak, Failing, Horizon, MemoryForecast.DefaultLookBack)!;

        Assert.InRange(outlook.Probability, 0.99, 1);
        Assert.Equal((Failing - 340 * MiB) / (2 * MiB), outlook.TimeToFailure!.Value.TotalSeconds, 1);
        Assert.Contains("rising 120 MiB a minute", outlook.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ALeakStillFarFromFailing_IsNotForeseenFurtherAheadThanItWasWatched()
    {
        // The same leak a minute old: 220 MiB, rising 120 MiB a minute. Ten minutes of it would fail
        // the worker, but a line fitted to one minute is not extended ten.
        var leak = Samples(13, i => 100 * MiB + 2 * MiB * 5 * i);

        var outlook = MemoryForecast.Of(leak, Failing, Horizon, MemoryForecast.DefaultLookBack)!;

        Assert.InRange(outlook.Probability, 0, 0.01);
        Assert.NotNull(outlook.TimeToFailure);
    }

    [Fact]
    public void AWorkerGrowingWhileItWarmsUp_IsNotPredictedToFail()
    {
        // 40 MiB to 120 MiB over two minutes, with a collection's wobble: a fresh process filling its caches.
        var warming = Samples(25, i => 40 * MiB + 80 * MiB * i / 24 + (i % 3 == 0 ? 6 * MiB : 0));

        var outlook = MemoryForecast.Of(warming, Failing, Horizon, MemoryForecast.DefaultLookBack)!;

        Assert.InRange(outlook.Probability, 0, 0.001);
    }

    [Fact]
    public void ASawtoothOfCollections_IsNoTrend()
    {
        var sawtooth = Samples(25, i => (i % 2 == 0 ? 150 : 230) * MiB);

        var outlook = MemoryForecast.Of(sawtooth, Failing, Horizon, MemoryForecast.DefaultLookBack)!;

        Assert.InRange(outlook.Probability, 0, 0.01);
    }

    [Fact]
    public void AWorkerThatGrewOnce_IsNoLeak()
    {
        // 100 MiB, then a minute ago 350 MiB at once (a large cache loaded), and flat since.
        var step = Samples(25, i => i < 12 ? 100 * MiB : 350 * MiB + i % 2 * MiB);

        var outlook = MemoryForecast.Of(step, Failing, Horizon, MemoryForecast.DefaultLookBack)!;

        Assert.InRange(outlook.Probability, 0, 0.01);
        Assert.Null(outlook.TimeToFailure);
    }

    [Fact]
    public void OnlyTheLookBack_IsFitted_SoALeakThatBeganRecentlyTurnsTheLine()
    {
        // Ten minutes flat at 100 MiB, then the last minute leaking 4 MiB a second: 340 MiB now.
        var history = Samples(121, i => i < 109 ? 100 * MiB : 100 * MiB + 4 * MiB * 5 * (i - 108));

        var fitted = MemoryForecast.Of(history, Failing, Horizon, TimeSpan.FromMinutes(1))!;
        var wholeWindow = MemoryForecast.Of(history, Failing, Horizon, TimeSpan.FromMinutes(10))!;

        Assert.InRange(fitted.Probability, 0.99, 1);
        Assert.InRange(wholeWindow.Probability, 0, 0.1);
    }

    [Fact]
    public void TooFewSamples_ForecastNothing() =>
        Assert.Null(MemoryForecast.Of(Samples(MemoryForecast.MinimumSamples - 1, i => 100 * MiB * (i + 1)), Failing, Horizon, MemoryForecast.DefaultLookBack));

    [Fact]
    public void APrediction_TakesTheMemoryOutlook_WhenItIsTheLikelierFailure_ButAFailedWorkerIsStillReplaced()
    {
        var steadyScore = Enumerable.Range(0, 25).Select(i => new ScoreSample(Start + Step * i, 0.95)).ToList();
        var leak = new MemoryOutlook(0.9, TimeSpan.FromSeconds(70), "memory rising");

        var leaking = FailurePrediction.Predict(steadyScore, 0.3, Horizon, leak);
        var failed = FailurePrediction.Predict(steadyScore.Select(s => s with { Score = 0.1 }).ToList(), 0.3, Horizon, leak);

        Assert.Equal(0.9, leaking.FailureProbability);
        Assert.Equal(RecommendedAction.Drain, leaking.RecommendedAction);
        Assert.Equal(TimeSpan.FromSeconds(70), leaking.TimeToFailure);
        Assert.Equal("memory rising", leaking.Reason);
        Assert.Equal(RecommendedAction.Replace, failed.RecommendedAction);
        var unlikely = FailurePrediction.Predict(steadyScore, 0.3, Horizon, leak with { Probability = 0.01 });
        Assert.Equal((RecommendedAction.None, null, null), (unlikely.RecommendedAction, unlikely.TimeToFailure, unlikely.Reason));
    }
}
