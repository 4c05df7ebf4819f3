using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.Fuzzing;

namespace AspireJobs.Bench;

/// <summary>
/// The fuzzer of the tests, longer, against the Api as it runs (Kestrel, through the AppHost, its
/// one worker drained): generated requests to every operation of its OpenAPI document for a
/// while, then the findings.
/// </summary>
public static class FuzzBenchmark
{
    public static async Task<int> RunAsync(TimeSpan budget, int seed)
    {
        await using var system = await BenchSystem.StartAsync(workers: 1);
        // Drained, the worker runs none of the fuzzed jobs: what changes in the store is the requests' doing.
        foreach (var worker in (await system.Http.GetFromJsonAsync<JsonElement>("/api/workers")).EnumerateArray())
        {
            using var drained = await system.Http.PostAsync($"/api/workers/{worker.GetProperty("id").GetGuid()}/drain", null);
            drained.EnsureSuccessStatusCode();
        }

        using var write = Client(system, system.ApiKeyOf("write"));
        using var read = Client(system, system.ApiKeyOf("read"));
        using var anonymous = Client(system, null);
        var document = await system.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var operations = ApiFuzzer.OperationsOf(document);
        var fuzzer = new ApiFuzzer(system.Http, write, read, anonymous, () => system.ScalarAsync<string>(ApiFuzzer.StoredStateSql), seed);

        var report = await fuzzer.RunAsync(operations, int.MaxValue, budget, CancellationToken.None);
        using var after = await system.Http.GetAsync("/api/queues");
        Console.WriteLine($"Fuzzing, {DateTime.UtcNow:yyyy-MM-dd}, seed {seed}, {operations.Count} operations");
        Console.WriteLine(report.Summary);
        Console.WriteLine($"afterwards GET /api/queues answered {(int)after.StatusCode}");
        foreach (var finding in report.Findings.Take(50))
        {
            Console.WriteLine(finding);
        }

        return report.Findings.Count == 0 && after.IsSuccessStatusCode ? 0 : 1;
    }

    private static HttpClient Client(BenchSystem system, string? key)
    {
        var client = new HttpClient { BaseAddress = system.Http.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }
}
