using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.Api.Access;
using AspireJobs.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.Tests.Security;

/// <summary>
/// Every route of the Api but /health and /alive needs an API key; a key's scope decides what it
/// may do; refusals are problem details and change nothing; keys rotate without a restart; each
/// key has its own request rate. Against the in-process Api on real PostgreSQL and Redis.
/// </summary>
public sealed class ApiKeyTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task EveryRoute_ButHealthAndAlive_AnswersAProblem401_WithoutAKey()
    {
        using var http = _system.ApiHost.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var routes = Routes().ToList();
        Assert.Contains(routes, r => r.Path == "/api/jobs" && r.Method == "POST");

        foreach (var (method, path) in routes)
        {
            using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { type = "noop" }) }, Token);
            if (path is "/health" or "/alive" or "/dashboard/login")
            {
                Assert.True(response.StatusCode != HttpStatusCode.Unauthorized, $"{method} {path} needs no key, answered {response.StatusCode}");
            }
            else if (path == "/" || path.StartsWith("/dashboard", StringComparison.Ordinal) || path.StartsWith("/scalar", StringComparison.Ordinal))
            {
                // Pages a browser opens are sent to sign in.
                Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.ToString().Contains("/dashboard/login", StringComparison.Ordinal),
                    $"{method} {path} answered {response.StatusCode} {response.Headers.Location}");
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {response.StatusCode} without a key");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(401, (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("status").GetInt32());
            }
        }

        Assert.Equal(0L, await JobsInDatabaseAsync());
    }

    [Fact]
    public async Task AWrongKey_IsRefused_AndTheRightOneIsTakenFromEitherHeader()
    {
        var http = _system.Api(scope: null);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/queues");
        wrong.Headers.Add("X-Api-Key", TestApiKeys.For(ApiScope.Admin) + "x");
        using var refused = await http.SendAsync(wrong, Token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("not one the Api knows", await refused.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/queues");
        bearer.Headers.Authorization = new("Bearer", TestApiKeys.For(ApiScope.Read));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(bearer, Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _system.Api(ApiScope.Read).GetAsync("/api/queues", Token)).StatusCode);
    }

    [Fact]
    public async Task AReadKey_Reads_ButCreatesNothing_AndAWriteKey_CreatesAndCancels_ButDoesNotAdminister()
    {
        var read = _system.Api(ApiScope.Read);
        var write = _system.Api(ApiScope.Write);
        var admin = _system.Api(ApiScope.Admin);

        using var refused = await read.PostAsJsonAsync("/api/jobs", new { type = "noop" }, Token);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Contains("needs 'write'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await read.PostAsJsonAsync("/api/jobs/batch", new { jobs = new[] { new { type = "noop" } } }, Token)).StatusCode);
        Assert.Equal(0L, await JobsInDatabaseAsync());

        var job = await write.PostJsonAsync("/api/jobs", new { type = "noop", runAt = DateTime.UtcNow.AddHours(1) }, HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync($"/api/jobs/{job.Id()}", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await read.PostAsync($"/api/jobs/{job.Id()}/cancel", null, Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await write.PostAsync($"/api/workers/{Guid.NewGuid()}/drain", null, Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await write.PostAsync($"/api/dead-letters/{job.Id()}/requeue", null, Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await write.PostAsJsonAsync("/api/snapshots", new { kind = "full" }, Token)).StatusCode);
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM state_snapshots"));
        Assert.Equal("scheduled", (await read.GetJsonAsync($"/api/jobs/{job.Id()}")).Status());

        Assert.Equal(HttpStatusCode.OK, (await write.PostAsync($"/api/jobs/{job.Id()}/cancel", null, Token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/workers/{Guid.NewGuid()}/drain", null, Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/dead-letters/{job.Id()}/requeue", null, Token)).StatusCode);
    }

    [Fact]
    public async Task AKeyAddedToTheKeysFile_IsAccepted_AndOneRemoved_IsRefused_WithoutARestart()
    {
        var file = Path.Combine(servers.CreateDirectory("keys"), "api-keys.json");
        const string oldKey = "old-key-0123456789abcdef";
        const string newKey = "new-key-0123456789abcdef";
        await WriteKeysAsync(file, ("ci-old", oldKey));
        await using var host = _system.CreateApiHost([new("Api:KeysFile", file)]);
        using var withOld = host.CreateClient();
        withOld.DefaultRequestHeaders.Add("X-Api-Key", oldKey);
        using var withNew = host.CreateClient();
        withNew.DefaultRequestHeaders.Add("X-Api-Key", newKey);
        Assert.Equal(HttpStatusCode.OK, (await withOld.GetAsync("/api/queues", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withNew.GetAsync("/api/queues", Token)).StatusCode);

        await WriteKeysAsync(file, ("ci-old", oldKey), ("ci-new", newKey));
        await _system.WaitUntilAsync(async () => (await withNew.GetAsync("/api/queues", Token)).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the added key to be accepted");
        Assert.Equal(HttpStatusCode.OK, (await withOld.GetAsync("/api/queues", Token)).StatusCode);

        await WriteKeysAsync(file, ("ci-new", newKey));
        await _system.WaitUntilAsync(async () => (await withOld.GetAsync("/api/queues", Token)).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(30), "the removed key to be refused");
        Assert.Equal(HttpStatusCode.OK, (await withNew.GetAsync("/api/queues", Token)).StatusCode);

        // A bad edit changes nothing: the keys in force stay, once the Api has read it.
        await File.WriteAllTextAsync(file, """{ "Api": { "Keys": { "broken": { "Key": "short", "Scope": "root" } } } }""", Token);
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        await _system.WaitUntilAsync(() => Task.FromResult(configuration["Api:Keys:broken:Scope"] == "root"), TimeSpan.FromSeconds(30), "the bad edit to be read");
        Assert.Equal(HttpStatusCode.OK, (await withNew.GetAsync("/api/queues", Token)).StatusCode);
    }

    [Fact]
    public async Task AKeyOverItsRate_Gets429WithRetryAfter_WhileOtherKeysAreServed()
    {
        await using var host = _system.CreateApiHost([new("Api:RateLimits:Read:PermitsPerSecond", "1"), new("Api:RateLimits:Read:Burst", "3")]);
        using var read = host.CreateClient().WithKey(ApiScope.Read);
        using var admin = host.CreateClient().WithKey(ApiScope.Admin);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await read.GetAsync("/api/queues", Token));
        }

        var limited = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.OK) is >= 3 and <= 5, string.Join(", ", answers.Select(a => a.StatusCode)));
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/queues", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync("/health", Token)).StatusCode);
    }

    [Fact]
    public void TheExpensiveRoutes_WaitForAFewSlots()
    {
        var graph = Endpoints().Single(e => e.RoutePattern.RawText == "/api/jobs/{id:guid}/graph");
        Assert.Equal(RequestRateLimits.Expensive, graph.Metadata.GetMetadata<Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute>()?.PolicyName);
    }

    private IEnumerable<RouteEndpoint> Endpoints() =>
        _system.ApiHost.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

    /// <summary>Every route the Api maps, with a method and a concrete path (a fresh id where it takes one).</summary>
    private IEnumerable<(string Method, string Path)> Routes() =>
        Endpoints()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.Contains('*', StringComparison.Ordinal) && !raw.Contains("{**", StringComparison.Ordinal)
                && !raw.StartsWith("/_", StringComparison.Ordinal) && !raw.Contains('.', StringComparison.Ordinal) && !raw.Contains("{documentName}", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (method, "/" + System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText!.Trim('/'), "{[^}]+}", Guid.NewGuid().ToString()))))
            .Distinct();

    private async Task<long> JobsInDatabaseAsync()
    {
        await using var command = _system.Database.DataSource.CreateCommand("select count(*) from jobs");
        return (long)(await command.ExecuteScalarAsync(Token))!;
    }

    private static Task WriteKeysAsync(string file, params (string Name, string Key)[] keys) =>
        File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            Api = new { Keys = keys.ToDictionary(k => k.Name, k => new { Hash = ApiKey.HexHashOf(k.Key), Scope = "read" }) },
        }), Token);
}
