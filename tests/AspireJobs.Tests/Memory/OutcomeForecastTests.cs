using AspireJobs.Core.Jobs;
using AspireJobs.Core.Memory;

namespace AspireJobs.Tests.Memory;

public sealed class OutcomeForecastTests
{
    private static NeighbourFate Fate(float score, JobStatus status, Guid? job = null) => new(job ?? Guid.NewGuid(), score, status);

    [Fact]
    public void Forecast_GivesTheSharesOfSettledNeighbours_AboveTheScore()
    {
        var forecast = OutcomeForecaster.Forecast(
        [
            Fate(0.9f, JobStatus.Completed), Fate(0.8f, JobStatus.Completed), Fate(0.8f, JobStatus.DeadLettered),
            Fate(0.7f, JobStatus.Completed), Fate(0.3f, JobStatus.DeadLettered), // too far
            Fate(0.9f, JobStatus.Scheduled), Fate(0.9f, JobStatus.Cancelled),   // not settled, or says nothing
        ], minimumScore: 0.5f);

        Assert.Equal(new OutcomeForecast(4, true, 0.75, 0.25), forecast);
    }

    [Fact]
    public void Forecast_SaysSo_WithTooFewNeighbours_InsteadOfGuessing()
    {
        var forecast = OutcomeForecaster.Forecast([Fate(0.9f, JobStatus.DeadLettered), Fate(0.2f, JobStatus.Completed)], minimumScore: 0.5f);

        Assert.Equal(new OutcomeForecast(1, false, null, null), forecast);
    }

    [Fact]
    public void Forecast_CountsAJobOnce_WhateverItsAttemptsFound()
    {
        var job = Guid.NewGuid();
        var forecast = OutcomeForecaster.Forecast([Fate(0.9f, JobStatus.Completed, job), Fate(0.8f, JobStatus.Completed, job), Fate(0.8f, JobStatus.Completed, job)], 0.5f);

        Assert.Equal(new OutcomeForecast(1, false, null, null), forecast);
    }

    [Theory]
    [InlineData(JobStatus.DeadLettered, null, true)]
    [InlineData(JobStatus.Scheduled, "IOException: x", true)]
    [InlineData(JobStatus.Queued, "IOException: x", true)]
    [InlineData(JobStatus.Waiting, "IOException: x", true)]
    [InlineData(JobStatus.Queued, null, false)]
    [InlineData(JobStatus.Running, "IOException: x", false)]
    [InlineData(JobStatus.Completed, null, false)]
    [InlineData(JobStatus.Cancelled, "IOException: x", false)]
    public void Qualifies_OnlyFailingOrDeadLetteredJobs(JobStatus status, string? error, bool expected) =>
        Assert.Equal(expected, OutcomeForecaster.Qualifies(status, error));
}
