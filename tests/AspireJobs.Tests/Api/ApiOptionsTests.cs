using AspireJobs.Api;

namespace AspireJobs.Tests.Api;

public sealed class ApiOptionsTests
{
    [Fact]
    public void TheDefaults_AreValid() => Assert.Empty(new ApiOptions().Validate(ApiOptions.Section));

    [Theory]
    [InlineData("00:00:00", 0, "Api:PushRetryInterval")]
    [InlineData("01:00:00", 100, "Api:PushRetryInterval")]
    [InlineData("00:00:01", -1, "Api:PushRetryLimit")]
    public void AnOutOfRangePushRetry_IsRefused_NamingItsKey(string interval, int limit, string key)
    {
        var options = new ApiOptions { PushRetryInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture), PushRetryLimit = limit };

        var failure = Assert.Single(options.Validate(ApiOptions.Section));

        Assert.StartsWith(key + " must be", failure);
    }

    [Theory]
    [InlineData(-1, "00:00:10", "Api:WarmUpRounds")]
    [InlineData(1_001, "00:00:10", "Api:WarmUpRounds")]
    [InlineData(20, "00:00:00", "Api:WarmUpTimeout")]
    [InlineData(20, "01:00:00", "Api:WarmUpTimeout")]
    public void AnOutOfRangeWarmUp_IsRefused_NamingItsKey(int rounds, string timeout, string key)
    {
        var options = new ApiOptions { WarmUpRounds = rounds, WarmUpTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture) };

        var failure = Assert.Single(options.Validate(ApiOptions.Section));

        Assert.StartsWith(key + " must be", failure);
    }

    [Theory]
    [InlineData(1_023)]
    [InlineData(1024L * 1024 * 1024 + 1)]
    public void AnOutOfRangeMaxPageBytes_IsRefused_NamingItsKey(long bytes)
    {
        var failure = Assert.Single(new ApiOptions { MaxPageBytes = bytes }.Validate(ApiOptions.Section));

        Assert.StartsWith("Api:MaxPageBytes must be", failure);
    }
}
