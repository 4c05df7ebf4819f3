using AspireJobs.Core.Retries;
using FsCheck;
using FsCheck.Fluent;

namespace AspireJobs.Tests.Core.Retries;

public sealed class RetryPolicyTests
{
    private static readonly RetryPolicy Policy = RetryPolicy.Default; // base 1 s, max 60 s

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(6, 32)]
    [InlineData(7, 60)]
    [InlineData(25, 60)]
    [InlineData(1000, 60)]
    public void Ceiling_DoublesFromTheBase_UpToTheMaximum(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Policy.Ceiling(failures));

    [Fact]
    public void Delay_StaysWithinZeroAndTheCeiling_ForAnyFailureCountAndPolicy()
    {
        var cases =
            from failures in Gen.Choose(1, 10_000)
            from baseMs in Gen.Choose(1, 5_000)
            from extraMaxMs in Gen.Choose(0, 600_000)
            from seed in Gen.Choose(0, int.MaxValue)
            select (failures, baseMs, extraMaxMs, seed);
        var property = Prop.ForAll(
            cases.ToArbitrary(),
            c =>
            {
                var (failures, baseMs, extraMaxMs, seed) = c;
                var policy = new RetryPolicy(TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromMilliseconds(baseMs + extraMaxMs));
                var delay = policy.Delay(failures, new Random(seed));
                return delay >= TimeSpan.Zero
                       && delay <= policy.Ceiling(failures)
                       && policy.Ceiling(failures) <= policy.MaxDelay;
            });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }

    [Fact]
    public void Delay_IsSpreadOverTheWholeWindow_NotBunched()
    {
        // Full jitter: across many failures at the same count, delays fill [0, ceiling].
        var random = new Random(7);
        var delays = Enumerable.Range(0, 10_000).Select(_ => Policy.Delay(4, random).TotalSeconds).ToList();

        Assert.InRange(delays.Min(), 0, 0.1);
        Assert.InRange(delays.Max(), 7.9, 8);
        Assert.InRange(delays.Average(), 3.8, 4.2);
    }

    [Fact]
    public void Decide_Retries_WhileFailuresDoNotExceedMaxRetries()
    {
        Assert.True(Policy.Decide(failures: 1, maxRetries: 2, permanent: false, new Random(1)).Retry);
        Assert.True(Policy.Decide(failures: 2, maxRetries: 2, permanent: false, new Random(1)).Retry);
        Assert.False(Policy.Decide(failures: 3, maxRetries: 2, permanent: false, new Random(1)).Retry);
    }

    [Fact]
    public void Decide_DeadLettersAtOnce_WhenNoRetriesAreAllowed_OrTheErrorIsPermanent()
    {
        Assert.False(Policy.Decide(failures: 1, maxRetries: 0, permanent: false, new Random(1)).Retry);
        Assert.False(Policy.Decide(failures: 1, maxRetries: 25, permanent: true, new Random(1)).Retry);
    }
}
