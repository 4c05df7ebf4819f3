using Aspire.Hosting.ApplicationModel;
using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Lifecycle;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.AppHost;

public sealed class StatusFileWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aspirejobs-status-").FullName;

    [Fact]
    public async Task AWriteThatFails_IsTriedAgain_SoTheFileComesBackCurrentOnceItCanBeWritten()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        using var services = new ServiceCollection().BuildServiceProvider();
        var notifications = new ResourceNotificationService(NullLogger<ResourceNotificationService>.Instance, lifetime, services, new ResourceLoggerService());
        var run = new AppHostRun(_directory, InfrastructureMode.Local);
        var log = new FakeLogger<StatusFileWriter>();
        using var writer = new StatusFileWriter(notifications, new RestartCounts(), run, DataDirectoryLock.Acquire(_directory), lifetime, clock, log);

        // A directory where the writer puts its temporary file: every write fails until it goes.
        var blocker = Directory.CreateDirectory(run.StatusFilePath + ".tmp");
        await writer.StartingAsync(CancellationToken.None);
        var redis = new ContainerResource("redis");
        await notifications.PublishUpdateAsync(redis, s => s with { State = KnownResourceStates.Starting });
        Assert.True(
            await TickUntilAsync(clock, () => log.Collector.GetSnapshot().Any(r => r.Level == LogLevel.Warning), TimeSpan.FromSeconds(10)),
            "no write was tried");
        Assert.False(File.Exists(run.StatusFilePath));

        blocker.Delete();
        await notifications.PublishUpdateAsync(redis, s => s with { State = KnownResourceStates.Running });
        Assert.True(
            await TickUntilAsync(clock, () => StatusFile.Read(run.StatusFilePath)?.Resources is [{ State: "Running" }], TimeSpan.FromSeconds(10)),
            "apphost.json was not written once its directory could take it");

        await writer.StopAsync(CancellationToken.None);
    }

    /// <summary>Moves the clock a write interval at a time, letting the writer's timer run, until the condition holds or the time is up.</summary>
    private static async Task<bool> TickUntilAsync(FakeTimeProvider clock, Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(20);
            if (condition())
            {
                return true;
            }
        }

        return condition();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
