using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.Tests.Memory;

/// <summary>Bad input to execution memory's routes answers problem details, never a 500, and never loads the model.</summary>
public sealed class ExecutionMemoryBadInputTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    [Theory]
    [InlineData("""{}""", "text")]
    [InlineData("""{"text":"   "}""", "text")]
    [InlineData("""{"text":42}""", "text")]
    [InlineData("""{"text":"x","limit":0}""", "limit")]
    [InlineData("""{"text":"x","limit":101}""", "limit")]
    [InlineData("""{"text":"x","limit":"5"}""", "limit")]
    [InlineData("""{"text":"x","outcome":"exploded"}""", "outcome")]
    [InlineData("""{"text":"x","type":"no spaces allowed"}""", "type")]
    public async Task Search_WithABadField_Answers400_NamingIt(string body, string field)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await _system.Api().PostAsync("/api/executions/search", content, Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Search_WithEveryFieldWrong_NamesEachOne_AndATooLongText()
    {
        using var content = new StringContent(
            JsonSerializer.Serialize(new { text = new string('x', 4001), outcome = "x", limit = -1, type = "" }), System.Text.Encoding.UTF8, "application/json");
        using var response = await _system.Api().PostAsync("/api/executions/search", content, Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("errors");
        Assert.Equal(["limit", "outcome", "text", "type"], errors.EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task Similar_OfAnUnknownJob_Is404_AndABadLimitIs400()
    {
        var http = _system.Api();
        await http.GetJsonAsync($"/api/jobs/{Guid.NewGuid()}/similar", HttpStatusCode.NotFound);
        var job = (await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created)).Id();
        foreach (var limit in new[] { "0", "101", "ten", "-1" })
        {
            var problem = await http.GetJsonAsync($"/api/jobs/{job}/similar?limit={limit}", HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _));
        }

        // No worker runs here: the job never finished an attempt, so there is nothing to compare.
        Assert.Empty((await http.GetJsonAsync($"/api/jobs/{job}/similar")).GetProperty("items").EnumerateArray());
        Assert.False(_system.ApiHost.Services.GetRequiredService<AspireJobs.Core.Memory.IEmbedder>() is AspireJobs.Core.Memory.MiniLmEmbedder { IsLoaded: true });
    }
}
