using System.Net;
using System.Text;
using System.Text.Json;
using AspireJobs.Api.Access;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Api;

/// <summary>
/// Every route given what a client can get wrong: wrong types, values out of range, missing
/// fields, malformed JSON, oversized payloads, unknown and non-UUID ids. Each answer is a 4xx
/// problem detail, never a 500, and nothing is written.
/// </summary>
public sealed class BadInputTests(TestServers servers) : IAsyncLifetime
{
    private TestSystem _system = null!;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    private static readonly string Unknown = Guid.CreateVersion7().ToString();

    public static TheoryData<string, string, string?, int> Cases => new()
    {
        // Create: malformed bodies.
        { "POST", "/api/jobs", "{\"type\":", 400 },
        { "POST", "/api/jobs", "", 400 },
        { "POST", "/api/jobs", "[]", 400 },
        { "POST", "/api/jobs", "\"noop\"", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\"} trailing", 400 },
        // Create: missing or wrong fields.
        { "POST", "/api/jobs", "{}", 400 },
        { "POST", "/api/jobs", "{\"payload\":{}}", 400 },
        { "POST", "/api/jobs", "{\"type\":42}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"white space\"}", 400 },
        { "POST", "/api/jobs", $"{{\"type\":\"{new string('a', 201)}\"}}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"priority\":\"high\"}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"priority\":0}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"priority\":6}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"maxRetries\":26}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"maxRetries\":true}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"timeoutMs\":0}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"timeoutMs\":86400001}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"timeoutMs\":99999999999999999999}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"dependsOn\":{}}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"dependsOn\":[\"42\"]}", 400 },
        { "POST", "/api/jobs", $"{{\"type\":\"noop\",\"dependsOn\":[\"{Unknown}\"]}}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"runAt\":\"soon\"}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"runAt\":\"01/02/2099\"}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"runAt\":\"Wed, 02 Jan 2099 10:00:00 GMT\"}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"runAt\":\"10:00\"}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"idempotencyKey\":\"\"}", 400 },
        { "POST", "/api/jobs", $"{{\"type\":\"noop\",\"idempotencyKey\":\"{new string('k', 201)}\"}}", 400 },
        // Create: text PostgreSQL cannot hold (U+0000 in text, a lone surrogate anywhere).
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"idempotencyKey\":\"k\\u0000\"}", 400 },
        { "POST", "/api/jobs", "{\"type\":\"noop\",\"payload\":[\"\\udfff\"]}", 400 },
        { "POST", "/api/jobs/batch", "{\"jobs\":[{\"type\":\"noop\"},{\"type\":\"noop\",\"idempotencyKey\":\"\\u0000\"}]}", 400 },
        // Create: too large.
        { "POST", "/api/jobs", $"{{\"type\":\"noop\",\"payload\":\"{new string('x', 1024 * 1024)}\"}}", 413 },
        { "POST", "/api/jobs", $"{{\"type\":\"noop\",\"junk\":\"{new string('x', 3 * 1024 * 1024)}\"}}", 413 },
        // Batch.
        { "POST", "/api/jobs/batch", "{}", 400 },
        { "POST", "/api/jobs/batch", "{\"jobs\":[]}", 400 },
        { "POST", "/api/jobs/batch", "{\"jobs\":{}}", 400 },
        { "POST", "/api/jobs/batch", "[{\"type\":\"noop\"}]", 400 },
        { "POST", "/api/jobs/batch", "{\"jobs\":[{\"type\":\"noop\"},{\"type\":\"noop\",\"priority\":9}]}", 400 },
        { "POST", "/api/jobs/batch", $"{{\"jobs\":[{{\"type\":\"noop\"}},{{\"type\":\"noop\",\"dependsOn\":[\"{Unknown}\"]}}]}}", 400 },
        { "POST", "/api/jobs/batch", "{\"jobs\":[" + string.Join(',', Enumerable.Repeat("{\"type\":\"noop\"}", 10_001)) + "]}", 400 },
        { "POST", "/api/jobs/batch", $"{{\"jobs\":[{{\"type\":\"noop\"}},{{\"type\":\"noop\",\"payload\":\"{new string('x', 1024 * 1024)}\"}}]}}", 413 },
        // Ids.
        { "GET", "/api/jobs/not-a-uuid", null, 404 },
        { "GET", $"/api/jobs/{Unknown}", null, 404 },
        { "GET", "/api/jobs/12345/executions", null, 404 },
        { "GET", $"/api/jobs/{Unknown}/executions", null, 404 },
        { "POST", "/api/jobs/xyz/cancel", null, 404 },
        { "POST", $"/api/jobs/{Unknown}/cancel", null, 404 },
        { "POST", "/api/dead-letters/xyz/requeue", null, 404 },
        { "POST", $"/api/dead-letters/{Unknown}/requeue", null, 404 },
        // Queries.
        { "GET", "/api/jobs?status=done", null, 400 },
        { "GET", "/api/jobs?type=bad%20type", null, 400 },
        { "GET", "/api/jobs?limit=0", null, 400 },
        { "GET", "/api/jobs?limit=1001", null, 400 },
        { "GET", "/api/jobs?limit=ten", null, 400 },
        { "GET", "/api/jobs?cursor=page2", null, 400 },
        { "GET", "/api/dead-letters?limit=-1", null, 400 },
        { "GET", "/api/dead-letters?cursor=x", null, 400 },
        // Routes and methods that do not exist.
        { "DELETE", "/api/jobs", null, 405 },
        { "GET", "/api/nothing-here", null, 404 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_GetsAProblemDetail_AndWritesNothing(string method, string path, string? body, int status)
    {
        using var http = _system.Api();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        if (status == 400)
        {
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any(), $"a 400 names no field: {problem}");
        }

        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs"));
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM job_events"));
        Assert.Equal((0, 0, 0), await _system.Dispatcher.BandLengthsAsync());
    }

    [Theory]
    [InlineData("/api/jobs?status=&type=&limit=&cursor=")]
    [InlineData("/api/dead-letters?limit=&cursor=")]
    [InlineData("/api/snapshots?limit=&cursor=")]
    [InlineData("/api/health/anomalies?workerId=&limit=&cursor=")]
    public async Task AQueryParameterGivenEmpty_IsReadAsNotGiven(string path)
    {
        using var http = _system.Api();

        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ABodyThatBeginsWithAByteOrderMark_IsReadAsJson()
    {
        using var http = _system.Api();
        using var content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("{\"type\":\"noop\",\"runAt\":\"2099-01-01T00:00:00Z\"}")]);
        content.Headers.ContentType = new("application/json");

        using var response = await http.PostAsync("/api/jobs", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs"));
    }

    [Theory]
    [InlineData("{\"type\":\"", "\"}")] // a string
    [InlineData("{\"type\":\"noop\",\"payload\":{\"", "\":1}}")] // a name
    [InlineData("{\"type\":\"noop\",\"payload\":\"\\n", "\"}")] // a string with an escape too
    public async Task BytesThatAreNotUtf8_InAString_GetA400Problem(string before, string after)
    {
        using var http = _system.Api();
        byte[] body = [.. Encoding.UTF8.GetBytes(before), 0xFF, 0xC0, 0xAF, .. Encoding.UTF8.GetBytes(after)];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        using var response = await http.PostAsync("/api/jobs", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs"));
    }

    [Theory]
    [InlineData("zz\r\n\r\n", 400)] // a chunk size that is no number
    [InlineData("5\r\n{\"typ", 408)] // a chunk whose end never comes: Kestrel's minimum data rate gives up after its 5-s grace
    public async Task AChunkedBodyThatBreaksItsFraming_GetsItsOwnStatus_FromARealServer(string chunks, int status)
    {
        // Kestrel, not the in-memory test server: the framing is Kestrel's to read.
        await using var api = await _system.StartApiAsync();
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(api.Url.Host, api.Url.Port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        var request = "POST /api/jobs HTTP/1.1\r\nHost: localhost\r\n" +
                      $"X-Api-Key: {TestApiKeys.For(AspireJobs.Api.Access.ApiScope.Write)}\r\n" +
                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync(TestContext.Current.CancellationToken);

        Assert.True(statusLine?.StartsWith($"HTTP/1.1 {status}", StringComparison.Ordinal), $"{statusLine}{System.Environment.NewLine}{api.Output()}");
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs"));
    }

    [Fact]
    public async Task ABodyOverTheLimit_SentInChunks_GetsA413Problem_AndChangesNothing()
    {
        // A chunked body declares no Content-Length: the route counts what arrives. Kestrel, not
        // the in-memory test server, which gives every body a length.
        var job = await _system.Api().PostJsonAsync("/api/jobs", new { type = "noop", runAt = "2099-01-01T00:00:00Z" }, HttpStatusCode.Created);
        await using var api = await _system.StartApiAsync();
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(api.Url.Host, api.Url.Port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        var body = $"{{\"priority\":5,\"pad\":\"{new string('x', 2 * 1024 * 1024)}\"}}";
        var request = $"PATCH /api/jobs/{job.Id()} HTTP/1.1\r\nHost: localhost\r\n" +
                      $"X-Api-Key: {TestApiKeys.For(AspireJobs.Api.Access.ApiScope.Write)}\r\n" +
                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                      $"{body.Length:x}\r\n{body}\r\n0\r\n\r\n";

        // The server may answer before it has read the rest, and close: the send is not awaited for its outcome.
        var send = stream.WriteAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken).AsTask();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync(TestContext.Current.CancellationToken);
        await send.ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.True(statusLine?.StartsWith("HTTP/1.1 413", StringComparison.Ordinal), $"{statusLine}{System.Environment.NewLine}{api.Output()}");
        Assert.Equal(3, (await _system.Api().GetJsonAsync($"/api/jobs/{job.Id()}")).GetProperty("priority").GetInt32());
    }

    [Fact]
    public async Task APayloadHoldingNul_IsKeptExactly()
    {
        // Only PostgreSQL's text refuses U+0000; a payload is kept as JSON text, escape and all.
        using var http = _system.Api();
        const string Body = "{\"type\":\"noop\",\"payload\":{\"a\\u0000\":\"b\\u0000c\"}}";

        using var response = await http.PostAsync("/api/jobs", new StringContent(Body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var job = await http.GetJsonAsync(response.Headers.Location!.ToString());
        Assert.Equal("b\0c", job.GetProperty("payload").GetProperty("a\0").GetString());
    }

    [Fact]
    public async Task AWrongContentType_GetsA415Problem()
    {
        using var http = _system.Api();

        using var response = await http.PostAsync("/api/jobs", new StringContent("type=noop", Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AFieldError_NamesTheField()
    {
        using var http = _system.Api();

        using var response = await http.PostAsync("/api/jobs", new StringContent("""{"type":"noop","priority":9,"timeoutMs":"x"}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("errors");
        Assert.Equal(["priority", "timeoutMs"], errors.EnumerateObject().Select(e => e.Name).Order());
    }

    /// <summary>ASP.NET Core writes problems only for clients that accept JSON; a refused key was a bodiless 500 for the others.</summary>
    [Theory]
    [InlineData(null, "GET", "/api/jobs", "text/plain", 401)]
    [InlineData(ApiScope.Read, "POST", "/api/jobs", "application/xml", 403)]
    [InlineData(ApiScope.Admin, "GET", "/api/jobs/not-a-uuid", "text/html", 404)]
    [InlineData(ApiScope.Admin, "DELETE", "/api/jobs", "text/plain", 405)]
    [InlineData(ApiScope.Admin, "POST", "/api/jobs", "text/plain", 400)]
    public async Task AnErrorAnswer_IsAProblem_WhateverTheClientAccepts(ApiScope? scope, string method, string path, string accept, int status)
    {
        using var http = _system.Api(scope);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (method == "POST")
        {
            request.Content = new StringContent("{\"type\":", Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("status").GetInt32());
    }
}
