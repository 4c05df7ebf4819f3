namespace AspireJobs.Core.Health;

/// <summary>How failure is predicted: the score that counts as failing, how far ahead, and how much memory history the leak forecast fits.</summary>
public sealed record PredictionRules(double FailureThreshold, TimeSpan Horizon, TimeSpan MemoryLookBack)
{
    public static PredictionRules Default { get; } = new(FailurePrediction.DefaultThreshold, FailurePrediction.DefaultHorizon, MemoryForecast.DefaultLookBack);
}
