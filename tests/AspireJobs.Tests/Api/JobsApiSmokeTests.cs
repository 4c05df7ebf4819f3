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
}
