using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using AspireJobs.AppHost.Lifecycle;
using AspireJobs.Tests.EndToEnd;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.Tests.Security;

/// <summary>
/// The generated secrets (the PostgreSQL and Redis passwords, Aspire's secret parameters) appear
/// in no resource's log and not in apphost.json, after the whole application has run jobs,
/// failures and bad requests; and the files that hold them are their owner's alone.
/// </summary>
public sealed class SecretsTests(TestServers servers)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NoGeneratedSecret_AppearsInAnyLogOrInTheStatusFile()
    {
        await using var system = await AspireJobsApp.StartAsync(servers.CreateDirectory("secrets"), workers: 1);
        var done = await system.Api.PostJsonAsync("/api/jobs", new { type = "fail", payload = new { times = 1 }, maxRetries = 1 }, HttpStatusCode.Created);
        await system.Api.PostJsonAsync("/api/jobs", new { type = "no such!" }, HttpStatusCode.BadRequest);
        await AppHostEndToEndTests.PollAsync(system.Api, $"/api/jobs/{done.Id()}", job => job.Status() == "completed");

        var model = system.App.Services.GetRequiredService<DistributedApplicationModel>();
        var secrets = new List<(string Name, string Value)>();
        foreach (var parameter in model.Resources.OfType<ParameterResource>().Where(p => p.Secret))
        {
            if (await parameter.GetValueAsync(Token) is { Length: >= 8 } value)
            {
                secrets.Add((parameter.Name, value));
            }
        }

        Assert.Contains(secrets, s => s.Name.Contains("password", StringComparison.OrdinalIgnoreCase));
        var logs = system.App.Services.GetRequiredService<ResourceLoggerService>();
        var lines = 0;
        foreach (var instance in await InstanceIdsAsync(system))
        {
            await foreach (var batch in logs.GetAllAsync(instance).WithCancellation(Token))
            {
                foreach (var line in batch)
                {
                    lines++;
                    foreach (var (name, value) in secrets)
                    {
                        Assert.False(line.Content.Contains(value, StringComparison.Ordinal), $"{instance}'s log shows the secret {name}: line {line.LineNumber}");
                    }
                }
            }
        }

        Assert.True(lines > 100, $"only {lines} log lines were read");
        var status = await File.ReadAllTextAsync(StatusFile.PathIn(system.DataDirectory), Token);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret.Value, status, StringComparison.Ordinal));

        // Every file the AppHost keeps a secret in is its owner's alone.
        var secretFiles = Directory.EnumerateFiles(system.DataDirectory, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 })
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("api-key", StringComparison.Ordinal) || name is "password" or StatusFile.FileName || name.EndsWith(".conf", StringComparison.Ordinal)))
            .ToList();
        Assert.Contains(secretFiles, path => Path.GetFileName(path) == "api-key");
        Assert.Contains(secretFiles, path => Path.GetFileName(path) == StatusFile.FileName);
        Assert.All(secretFiles, path => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path)));
    }

    /// <summary>The id of every instance the orchestrator runs (a replica's own), as its notifications name them.</summary>
    private static async Task<HashSet<string>> InstanceIdsAsync(AspireJobsApp system)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var replayed = CancellationTokenSource.CreateLinkedTokenSource(Token);
        replayed.CancelAfter(TimeSpan.FromSeconds(2)); // the watch first replays every resource's current state
        try
        {
            await foreach (var update in system.App.ResourceNotifications.WatchAsync(replayed.Token))
            {
                if (update.Resource is not ParameterResource)
                {
                    ids.Add(update.ResourceId);
                }
            }
        }
        catch (OperationCanceledException) when (!Token.IsCancellationRequested)
        {
            // Replayed.
        }

        return ids;
    }
}
