using System.Text.Json;
using AspireJobs.Api.Http;

namespace AspireJobs.Tests.Api;

public sealed class RequestTimeTests
{
    private static DateTimeOffset? Read(string text) =>
        RequestTime.TryRead(JsonSerializer.SerializeToElement(text), out var time) ? time : null;

    [Theory]
    [InlineData("2030-01-02T10:00:00Z", "2030-01-02T10:00:00+00:00")]
    [InlineData("2030-01-02T10:00:00.1234567+02:00", "2030-01-02T08:00:00.1234567+00:00")]
    [InlineData("2030-01-02T10:00:00", "2030-01-02T10:00:00+00:00")] // no offset: UTC, never the server's zone
    [InlineData("2030-01-02 10:00:00+02:00", "2030-01-02T08:00:00+00:00")] // RFC 3339's space
    [InlineData("2030-01-02t10:00:00z", "2030-01-02T10:00:00+00:00")] // and its lower case
    [InlineData("2030-01-02", "2030-01-02T00:00:00+00:00")]
    public void AnIso8601Time_IsRead_InUtc(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Read(text));

    [Theory]
    [InlineData("01/02/2030")] // a day and a month, in some order
    [InlineData("Wed, 02 Jan 2030 10:00:00 GMT")]
    [InlineData("10:00")] // today at ten, perhaps past
    [InlineData("2030-01-02 ")]
    [InlineData("soon")]
    public void AnythingElse_IsRefused(string text) => Assert.Null(Read(text));
}
