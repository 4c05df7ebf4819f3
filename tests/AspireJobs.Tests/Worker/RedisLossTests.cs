using System.Net;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Worker;

/// <summary>Redis is only the index: losing all of it mid-run loses no job.</summary>
public sealed class RedisLossTests(TestServers servers)
{
    [Fact]
    public async Task AFlushAllMidRun_IsHealed_AndEveryJobStillCompletesOnce()
    {
        await using var redis = await servers.StartOwnRedisAsync();
        await using var system = await TestSystem.CreateAsync(servers, redis.ConnectionString);
        using var http = system.Api();
        var workerSettings = new Dictionary<string, string?> { ["Worker__Concurrency"] = "4", ["Worker__SafetyPollInterval"] = "00:00:00.500" };
        await Task.WhenAll(system.StartWorkerAsync(workerSettings), system.StartWorkerAsync(workerSettings));
        await system.StartHealthMonitorAsync(new Dictionary<string, string?> { ["HealthMonitor__ReconcileInterval"] = "00:00:00.200" });

        await http.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 300).Select(_ => new { type = "sleep", payload = new { ms = 20 } }) }, HttpStatusCode.Created);
        await system.WaitUntilAsync(async () => await system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'completed'") >= 60, TimeSpan.FromSeconds(60), "a fifth of the jobs to complete");

        await system.Redis.GetDatabase().ExecuteAsync("FLUSHALL");

        await system.WaitUntilAsync(async () => await system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'completed'") == 300, TimeSpan.FromSeconds(90), "all 300 jobs to complete after the flush");
        Assert.Equal(300L, await system.Database.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE status = 'completed'"));
        Assert.Equal(0L, await system.Database.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE status NOT IN ('completed', 'abandoned')"));
    }
}
