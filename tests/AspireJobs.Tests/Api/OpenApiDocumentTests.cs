using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AspireJobs.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace AspireJobs.Tests.Api;

/// <summary>
/// The OpenAPI document against the routes the Api really maps: every route is described with
/// its method, the document is valid OpenAPI, every request body has an example its route
/// accepts, and its reference UI is served without any asset from elsewhere.
/// </summary>
public sealed class OpenApiDocumentTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    private async Task<OpenApiDocument> ReadDocumentAsync()
    {
        using var http = _system.Api();
        await using var json = await http.GetStreamAsync("/openapi/v1.json", Token);
        var (document, diagnostic) = await OpenApiDocument.LoadAsync(json, "json", new OpenApiReaderSettings(), Token);
        Assert.Empty(diagnostic?.Errors ?? []);
        return document!;
    }

    [Fact]
    public async Task EveryMappedApiRoute_IsInTheDocument_WithItsMethod()
    {
        var document = await ReadDocumentAsync();
        var routes = _system.ApiHost.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods
                .Select(method => (Path: Normalize(endpoint.RoutePattern.RawText!), Method: method)))
            .ToList();
        Assert.True(routes.Count >= 15, $"only {routes.Count} routes found");

        foreach (var (path, method) in routes)
        {
            Assert.True(document.Paths.TryGetValue(path, out var item), $"the document lacks {path}");
            Assert.True(item!.Operations!.ContainsKey(HttpMethod.Parse(method)), $"the document lacks {method} {path}");
            var operation = item.Operations[HttpMethod.Parse(method)];
            Assert.False(string.IsNullOrWhiteSpace(operation.Summary), $"{method} {path} has no summary");
        }
    }

    [Fact]
    public async Task TheDocument_IsValid_DescribesBodiesAndProblems_AndHasExamples()
    {
        var document = await ReadDocumentAsync();

        Assert.Empty(document.Validate(Microsoft.OpenApi.ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        var create = document.Paths["/api/jobs"].Operations![HttpMethod.Post];
        var body = create.RequestBody!.Content!["application/json"];
        Assert.NotNull(body.Example);
        Assert.Contains("type", body.Schema!.Properties!.Keys);
        Assert.Equal(JsonSchemaType.Integer | JsonSchemaType.Null, body.Schema.Properties["priority"].Type); // a number, never a numeric string
        Assert.Contains("409", create.Responses!.Keys);
        Assert.Equal("application/problem+json", Assert.Single(create.Responses["409"].Content!.Keys));
        Assert.Contains("201", create.Responses.Keys);
        var apiKey = document.Components!.SecuritySchemes!["ApiKey"];
        Assert.Equal((SecuritySchemeType.ApiKey, ParameterLocation.Header, "X-Api-Key"), (apiKey.Type, apiKey.In, apiKey.Name));
    }

    [Fact]
    public async Task EveryRequestBody_HasAnExample_ThatItsRouteAccepts()
    {
        var document = await ReadDocumentAsync();
        var withBodies = document.Paths
            .SelectMany(path => path.Value.Operations!.Where(op => op.Value.RequestBody is not null).Select(op => (Method: op.Key, Path: path.Key, Operation: op.Value)))
            .ToList();
        Assert.True(withBodies.Count >= 7, $"only {withBodies.Count} operations with a request body found");

        using var http = _system.Api();
        // What the routes' {id} stands for: a queued job (no worker runs here), a snapshot to restore.
        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal)
        {
            ["/api/jobs/{id}"] = (await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created)).Id(),
            ["/api/snapshots/{id}/restore"] = (await http.PostJsonAsync("/api/snapshots", new { kind = "full" }, HttpStatusCode.Created)).Id(),
        };

        foreach (var (method, path, operation) in withBodies)
        {
            var route = $"{method} {path}";
            Assert.True(operation.RequestBody!.Content!.TryGetValue("application/json", out var media) && media.Example is not null, $"{route} has no example");
            var example = media.Example!.DeepClone();
            if (example is JsonObject fields && fields["at"] is { } at)
            {
                // The example's time belongs to the story it tells; this test's own past stands in for it.
                Assert.True(AspireJobs.Api.Http.RequestTime.TryRead(System.Text.Json.JsonSerializer.SerializeToElement(at.GetValue<string>()), out _), $"{route}: at is no time the Api reads");
                fields["at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            }

            Assert.True(!path.Contains('{', StringComparison.Ordinal) || ids.ContainsKey(path), $"the test has no id for {route}");
            var target = ids.TryGetValue(path, out var id) ? path.Replace("{id}", id.ToString(), StringComparison.Ordinal) : path;
            using var request = new HttpRequestMessage(method, target) { Content = new StringContent(example.ToJsonString(), Encoding.UTF8, "application/json") };
            using var response = await http.SendAsync(request, Token);
            var answer = await response.Content.ReadAsStringAsync(Token);
            Assert.True(response.IsSuccessStatusCode, $"{route} answered its own example with {(int)response.StatusCode}: {answer}");
            // The restores' examples only ask for the diff: nothing is put back.
            if (JsonNode.Parse(answer) is JsonObject reply && reply["dryRun"] is { } dryRun)
            {
                Assert.True(dryRun.GetValue<bool>(), $"{route} applied its example: {answer}");
            }
        }
    }

    [Fact]
    public async Task EveryOperation_NeedsAKey_AndSaysWhichScope()
    {
        var document = await ReadDocumentAsync();

        Assert.Equal(["ApiKey", "Bearer"], document.Security!.Select(requirement => Assert.Single(requirement.Keys).Reference.Id));
        var operations = document.Paths.SelectMany(path => path.Value.Operations!.Select(op => (Route: $"{op.Key} {path.Key}", Operation: op.Value))).ToList();
        Assert.All(operations, o => Assert.True(o.Operation.Responses!.ContainsKey("401") && o.Operation.Responses.ContainsKey("403") && o.Operation.Responses.ContainsKey("429"), o.Route));
        string Scope(string route) => System.Text.RegularExpressions.Regex.Match(operations.Single(o => o.Route == route).Operation.Description!, "scope '(\\w+)'").Groups[1].Value;
        Assert.Equal(
            ["read", "write", "write", "admin", "admin"],
            [Scope("GET /api/queues"), Scope("POST /api/jobs"), Scope("POST /api/jobs/{id}/cancel"), Scope("POST /api/workers/{id}/drain"), Scope("POST /api/dead-letters/{id}/requeue")]);
    }

    [Fact]
    public async Task TheReferenceUi_IsServed_WithNothingFromElsewhere()
    {
        using var http = _system.Api();

        var page = await http.GetStringAsync("/scalar", Token);

        Assert.Contains("\"openapi/v1.json\"", page, StringComparison.Ordinal);
        var sources = System.Text.RegularExpressions.Regex.Matches(page, "(?:src|href)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(sources);
        Assert.All(sources, source => Assert.False(source.StartsWith("http", StringComparison.OrdinalIgnoreCase) || source.StartsWith("//", StringComparison.Ordinal), source));
        foreach (var source in sources.Where(s => !s.StartsWith("data:", StringComparison.Ordinal)))
        {
            using var asset = await http.GetAsync(new Uri(new Uri("http://localhost/scalar/"), source), Token);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        }
    }

    // Route constraints are not part of an OpenAPI path: /api/jobs/{id:guid} is /api/jobs/{id}.
    private static string Normalize(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern.TrimEnd('/'), "{([^}:]+):[^}]+}", "{$1}");
}
