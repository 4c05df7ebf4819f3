using AspireJobs.Core.Health;

namespace AspireJobs.Tests.Core.Health;

public sealed class FailurePredictionTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Horizon = TimeSpan.FromMinutes(10);

    private static List<ScoreSample> Line(double start, double perMinute, int points, TimeSpan step) =>
        Enumerable.Range(0, points).Select(i => new ScoreSample(Start + step * i, start + perMinute * (step * i).TotalMinutes)).ToList();

    [Fact]
    public void Slope_IsExact_ForAStraightLine() =>
        Assert.Equal(-0.05 / 60, FailurePrediction.Slope(Line(1, -0.05, 10, TimeSpan.FromSeconds(30)))!.Value, 12);

    [Fact]
    public void Predict_GivesNoTimeToFailure_ForASlopeOfAlmostNothing()
    {
        // Falling 1e-12 a minute: 0.6 above the threshold is 6e11 minutes away, beyond any TimeSpan.
        var prediction = FailurePrediction.Predict(Line(0.9, -1e-12, 5, TimeSpan.FromSeconds(15)), 0.3, Horizon);

        Assert.True(prediction.SlopePerMinute < 0);
        Assert.Null(prediction.TimeToFailure);
        Assert.Equal(RecommendedAction.None, prediction.RecommendedAction);
    }

    [Fact]
    public void Predict_GivesTheKnownTimeToFailure_ForAKnownSlope_AndALikelyFailureWithinTheHorizon()
    {
        // From 1.0, falling 0.05 a minute for 5 minutes: now 0.75; 0.45 above 0.3 at 0.05/min = 9 minutes, within the 10-minute horizon.
        var prediction = FailurePrediction.Predict(Line(1, -0.05, 11, TimeSpan.FromSeconds(30)), 0.3, Horizon);

        Assert.Equal(0.75, prediction.CurrentScore!.Value, 9);
        Assert.Equal(-0.05, prediction.SlopePerMinute!.Value, 9);
        Assert.Equal(TimeSpan.FromMinutes(9).TotalSeconds, prediction.TimeToFailure!.Value.TotalSeconds, 3);
        Assert.InRange(prediction.FailureProbability, 0.5, 1);
        Assert.Equal(RecommendedAction.Drain, prediction.RecommendedAction);
    }

    [Fact]
    public void Predict_GivesAFailureBeyondTheHorizon_ALowProbability()
    {
        // Falling 0.02 a minute from 1.0 over 5 minutes: 0.9 now, 0.3 in 30 minutes, far past 10.
        var prediction = FailurePrediction.Predict(Line(1, -0.02, 11, TimeSpan.FromSeconds(30)), 0.3, Horizon);

        Assert.Equal(TimeSpan.FromMinutes(30).TotalSeconds, prediction.TimeToFailure!.Value.TotalSeconds, 3);
        Assert.InRange(prediction.FailureProbability, 0, 0.01);
        Assert.Equal(RecommendedAction.None, prediction.RecommendedAction);
    }

    [Fact]
    public void Predict_RecommendsDraining_WhenFailureIsNear()
    {
        // Falling 0.1 a minute from 0.6: 3 minutes left.
        var prediction = FailurePrediction.Predict(Line(0.8, -0.1, 5, TimeSpan.FromSeconds(30)), 0.3, Horizon);

        Assert.Equal(TimeSpan.FromMinutes(3).TotalSeconds, prediction.TimeToFailure!.Value.TotalSeconds, 3);
        Assert.InRange(prediction.FailureProbability, 0.99, 1);
        Assert.Equal(RecommendedAction.Drain, prediction.RecommendedAction);
    }

    [Fact]
    public void Predict_SeesNoFailure_ForASteadyOrRisingScore()
    {
        foreach (var slope in new[] { 0.0, 0.02 })
        {
            var prediction = FailurePrediction.Predict(Line(0.5, slope, 10, TimeSpan.FromSeconds(30)), 0.3, Horizon);
            Assert.Null(prediction.TimeToFailure);
            Assert.InRange(prediction.FailureProbability, 0, 0.01);
            Assert.Equal(RecommendedAction.None, prediction.RecommendedAction);
        }
    }

    [Fact]
    public void ADipOrTwo_AfterAStall_DoNotDrainAWorker()
    {
        // What a worker paused twice for 4 s showed: 75 s at 0.99, then 0.80 and 0.70 (a least-squares
        // line through them predicted failure in 218 s, probability 0.64, and the worker was drained).
        var history = Line(0.99, 0, 14, TimeSpan.FromSeconds(5));
        history.Add(new ScoreSample(history[^1].At.AddSeconds(5), 0.80));
        history.Add(new ScoreSample(history[^1].At.AddSeconds(5), 0.70));

        var prediction = FailurePrediction.Predict(history, 0.3, Horizon);

        Assert.InRange(prediction.FailureProbability, 0, FailurePrediction.WatchProbability);
        Assert.Equal(RecommendedAction.None, prediction.RecommendedAction);
    }

    [Fact]
    public void OneWindowUnderTheThreshold_IsNoFailedWorker_ButSeveralInARowAre()
    {
        var history = Line(0.95, 0, 12, TimeSpan.FromSeconds(5));
        history.Add(new ScoreSample(history[^1].At.AddSeconds(5), 0.1));

        Assert.NotEqual(RecommendedAction.Replace, FailurePrediction.Predict(history, 0.3, Horizon).RecommendedAction);

        for (var i = 1; i < FailurePrediction.SustainedSamples; i++)
        {
            history.Add(new ScoreSample(history[^1].At.AddSeconds(5), 0.1));
        }

        var failed = FailurePrediction.Predict(history, 0.3, Horizon);
        Assert.Equal((RecommendedAction.Replace, 1.0, TimeSpan.Zero), (failed.RecommendedAction, failed.FailureProbability, failed.TimeToFailure!.Value));
    }

    [Fact]
    public void Predict_RecommendsReplacing_BelowTheThreshold()
    {
        var prediction = FailurePrediction.Predict(Line(0.5, -0.2, 5, TimeSpan.FromSeconds(30)), 0.3, Horizon);

        Assert.Equal((1.0, RecommendedAction.Replace, TimeSpan.Zero), (prediction.FailureProbability, prediction.RecommendedAction, prediction.TimeToFailure!.Value));
    }

    [Fact]
    public void Predict_WaitsForEnoughHistory()
    {
        Assert.Equal(RecommendedAction.None, FailurePrediction.Predict(Line(0.9, -0.1, 4, TimeSpan.FromSeconds(30)), 0.3, Horizon).RecommendedAction);
        Assert.Equal(RecommendedAction.None, FailurePrediction.Predict(Line(0.9, -0.1, 20, TimeSpan.FromSeconds(1)), 0.3, Horizon).RecommendedAction);
        Assert.Equal(RecommendedAction.Drain, FailurePrediction.Predict(Line(0.9, -0.1, 5, TimeSpan.FromSeconds(30)), 0.3, Horizon).RecommendedAction);
    }
}
