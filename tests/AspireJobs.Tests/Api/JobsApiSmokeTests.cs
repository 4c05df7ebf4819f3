using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Api;

public sealed class JobsApiSmokeTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task Create_Answers201_AndPutsTheJobInItsBand()
    {
        using var http = _system.Api();

        var response = await http.PostAsJsonAsync("/api/jobs", new { type = "noop", priority = 5 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("queued", job.GetProperty("status").GetString());
        Assert.Equal((1, 0, 0), await _system.Dispatcher.BandLengthsAsync());
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesTheJobRoutes()
    {
        using var http = _system.Api();

        var document = await http.GetJsonAsync("/openapi/v1.json");

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths");
        foreach (var route in new[] { "/api/jobs", "/api/jobs/{id}", "/api/jobs/batch", "/api/queues", "/api/workers", "/api/dead-letters" })
        {
            Assert.True(paths.TryGetProperty(route, out _), $"the document lacks {route}");
        }
    }
}
