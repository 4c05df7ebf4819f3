using System.Text.Json;
using AspireJobs.LocalProcesses;

namespace AspireJobs.Bench.Subjects;

/// <summary>
/// BullMQ (Node.js, Redis only), through a small harness in <c>bench/peers/bullmq</c>: each round
/// runs <c>bench.mjs</c>, which measures the same figures and prints them as JSON lines.
/// </summary>
public sealed class BullMqSubject(BenchServers servers) : ISubject
{
    private readonly string _directory = Path.Combine(RepositoryRoot.Path, "bench", "peers", "bullmq");

    public string Name => "BullMQ";

    public async Task StartAsync()
    {
        if (!Directory.Exists(Path.Combine(_directory, "node_modules")))
        {
            var (exitCode, output) = await ManagedProcess.RunToEndAsync(
                new ProcessSpec("npm", ["ci", "--no-audit", "--no-fund"], _directory, new Dictionary<string, string?>()), CancellationToken.None);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"npm ci failed in {_directory}: {output}");
            }
        }
    }

    /// <summary>Fresh worker processes, then the same jobs and batches as AspireJobs' cold figure.</summary>
    public Task<IReadOnlyList<Measurement>> RunColdAsync() => RunHarnessAsync("cold");

    public Task<IReadOnlyList<Measurement>> RunRoundAsync() => RunHarnessAsync("round");

    private async Task<IReadOnlyList<Measurement>> RunHarnessAsync(string part)
    {
        await servers.FlushRedisAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var (exitCode, output) = await ManagedProcess.RunToEndAsync(
            new ProcessSpec("node", ["bench.mjs", servers.Redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), servers.Redis.Password, part], _directory, new Dictionary<string, string?>()),
            timeout.Token);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"The BullMQ harness failed ({exitCode}): {output}");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonSerializer.Deserialize<JsonElement>(line))
            .Select(m => new Measurement(m.GetProperty("figure").GetString()!, m.GetProperty("value").GetDouble(), m.GetProperty("unit").GetString()!))
            .ToList();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
