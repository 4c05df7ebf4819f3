using AspireJobs.Api.Dashboard.Components;

namespace AspireJobs.Tests.Dashboard;

/// <summary>How the dashboard writes values (pure: the page encodes the text it is given).</summary>
public sealed class DashboardTextTests
{
    [Fact]
    public void APayload_IsIndented_WithItsTextAsTheApiReturnsIt()
    {
        var json = DashboardText.Json("""{"name":"Zoë","expr":"a<b && c>d","n":"x+1","city":"東京"}""");

        Assert.Equal("""
            {
              "name": "Zoë",
              "expr": "a<b && c>d",
              "n": "x+1",
              "city": "東京"
            }
            """.ReplaceLineEndings("\n"), json.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void TextThatIsNotJson_IsShownAsItIs() => Assert.Equal("{not json", DashboardText.Json("{not json"));

    [Fact]
    public void ATime_IsUtc_AndSaysSo() =>
        Assert.Equal("2026-12-07 15:04:05 UTC", DashboardText.Time(new DateTimeOffset(2026, 12, 7, 16, 4, 5, TimeSpan.FromHours(1))));
}
