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
}
