using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using AspireJobs.AppHost.Lifecycle;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.EndToEnd;

/// <summary>
/// The AppHost as a person runs it, a process of its own, interrupted during its first start
/// (the slowest, initdb's): given SIGTERM (as Ctrl+C), it stops cleanly and the next start on the
/// same data directory comes up; a server killed while the services wait for it is restarted,
/// and the start goes on; killed outright once up, it takes every process it started with it.
/// </summary>
public sealed class AppHostInterruptedStartTests(TestServers servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AStopDuringTheFirstStart_ExitsWith0_LeavesNoServerBehind_AndTheNextStartComesUp()
    {
        var dataDirectory = servers.CreateDirectory("apphost-stopped-starting");
        var cluster = Path.Combine(dataDirectory, "postgres");

        var first = Start(dataDirectory, out var firstOutput);
        int exitCode;
        try
        {
            await WaitUntilAsync(() => Directory.Exists(cluster) && Directory.EnumerateFiles(cluster, "PG_VERSION", SearchOption.AllDirectories).Any(), "initdb to begin");
            // apphost.json is this run's from its first moment, before any server starts: it
            // once came only when the start returned, seconds after initdb began.
            await WaitUntilAsync(() => StatusFile.Read(StatusFile.PathIn(dataDirectory))?.AppHostProcessId == first.Id, "apphost.json to name this AppHost", TimeSpan.FromSeconds(1));
            Assert.False(IsReady(firstOutput));
            Assert.True(first.Signal(PosixSignals.SIGTERM));
            exitCode = await first.Exited.WaitAsync(Patience, Token);
        }
        finally
        {
            await first.StopAsync(PosixSignals.SIGTERM, Patience); // a no-op once it has exited
        }

        Assert.True(exitCode == 0, $"the AppHost exited with {exitCode}:{Environment.NewLine}{string.Join(Environment.NewLine, firstOutput.TakeLast(30))}");
        Assert.DoesNotContain(firstOutput, line => line.Contains("Unhandled exception", StringComparison.Ordinal));
        await WaitUntilAsync(() => TestLeftovers.ProcessesNaming(dataDirectory).Count == 0, "every process of the first start to be gone");

        await AssertTheNextStartComesUpAsync(dataDirectory);
    }

    [Fact]
    public async Task ServersKilledDuringTheFirstStart_AreRestarted_AndTheStartGoesOn()
    {
        var dataDirectory = servers.CreateDirectory("apphost-servers-killed-starting");
        var statusPath = StatusFile.PathIn(dataDirectory);
        var appHost = Start(dataDirectory, out var output);
        try
        {
            // Redis comes up first; PostgreSQL once initdb is done, before the migrations run, which
            // the services wait for. Each is killed as soon as it is seen running.
            foreach (var server in new[] { "redis", "postgres" })
            {
                var processId = 0;
                await WaitUntilAsync(() => (processId = RunningProcessOf(statusPath, server)) > 0, $"{server} to run");
                Assert.False(IsReady(output));
                Assert.True(PosixSignals.Send(processId, PosixSignals.SIGKILL), $"{server} ({processId}) could not be killed");
            }

            await WaitUntilAsync(() => IsReady(output) || appHost.Exited.IsCompleted, "the start to finish");
            Assert.False(appHost.Exited.IsCompleted, $"the AppHost ended:{Environment.NewLine}{string.Join(Environment.NewLine, output.TakeLast(30))}");
            var status = StatusFile.Read(statusPath)!;
            // At least once: a restart on a busy machine may itself die young and be restarted again.
            Assert.All(status.Resources.Where(r => r.Name is "redis" or "postgres"), r => Assert.True(r.State == KnownResourceStates.Running && r.Restarts >= 1, $"{r.Name}: {r.State}, {r.Restarts} restarts"));
            Assert.All(status.Resources.Where(r => r.Name is "api" or "healthmonitor" || r.Resource == "worker"), r => Assert.Equal(KnownResourceStates.Running, r.State));

            // Headless, the servers' own output is in the AppHost's: where a server's reason for failing can be read.
            Assert.Contains(output, line => line.Contains("AspireJobs.AppHost.Resources.redis", StringComparison.Ordinal));
            Assert.Contains(output, line => line.Contains("Ready to accept connections", StringComparison.Ordinal));
        }
        finally
        {
            Assert.Equal(0, await appHost.StopAsync(PosixSignals.SIGTERM, Patience));
        }
    }

    [Fact]
    public async Task AnAppHostKilledOutright_TakesEveryProcessItStartedWithIt_AndTheNextStartComesUp()
    {
        var dataDirectory = servers.CreateDirectory("apphost-killed");
        var first = Start(dataDirectory, out var output);
        List<int> started;
        try
        {
            await WaitUntilAsync(() => IsReady(output) || first.Exited.IsCompleted, "the start to finish");
            Assert.False(first.Exited.IsCompleted, $"the AppHost ended:{Environment.NewLine}{string.Join(Environment.NewLine, output.TakeLast(30))}");
            // The summary says where the Api listens, on loopback, and where its key is.
            Assert.Contains(output, line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^\s+Api:\s+http://(127\.0\.0\.1|localhost):\d+/?$"));
            Assert.Contains(output, line => line.Contains(Path.Combine(dataDirectory, "api-key"), StringComparison.Ordinal));
            // Those running now: the migrations' process ended during the start, and its id may be another's by now.
            started = [.. StatusFile.Read(StatusFile.PathIn(dataDirectory))!.Resources.Where(r => r.State == KnownResourceStates.Running).Select(r => r.ProcessId).OfType<int>()];
            Assert.True(started.Count >= 5, $"only {started.Count} running processes in apphost.json"); // the servers and the services

            Assert.True(first.Signal(PosixSignals.SIGKILL));
            await first.Exited.WaitAsync(Patience, Token);
        }
        finally
        {
            await first.StopAsync(PosixSignals.SIGKILL, Patience); // a no-op once it has exited
        }

        // Nothing is left to hold the servers' ports and files, or to run jobs beside the next start.
        await WaitUntilAsync(() => !started.Any(IsRunning) && TestLeftovers.ProcessesNaming(dataDirectory).Count == 0, "every process of the killed AppHost to end");

        await AssertTheNextStartComesUpAsync(dataDirectory);
    }

    /// <summary>Starts the AppHost again on the directory, waits until it is ready, and stops it, which it must do with 0.</summary>
    private static async Task AssertTheNextStartComesUpAsync(string dataDirectory)
    {
        var next = Start(dataDirectory, out var output);
        try
        {
            await WaitUntilAsync(() => IsReady(output) || next.Exited.IsCompleted, "the next start to be ready");
            Assert.False(next.Exited.IsCompleted, $"the next start ended:{Environment.NewLine}{string.Join(Environment.NewLine, output.TakeLast(30))}");
        }
        finally
        {
            Assert.Equal(0, await next.StopAsync(PosixSignals.SIGTERM, Patience));
        }
    }

    /// <summary>Whether a process runs: a zombie nobody reaped yet (the machine's first process may not) has ended.</summary>
    private static bool IsRunning(int processId)
    {
        var stat = TestLeftovers.ReadOrEmpty($"/proc/{processId}/stat");
        return stat.Length > 0 && stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X' or default(char));
    }

    /// <summary>Whether the AppHost has printed its ready summary, whose last line this is.</summary>
    private static bool IsReady(IEnumerable<string> output) =>
        output.Any(line => line.Contains("Ctrl+C stops everything", StringComparison.Ordinal));

    /// <summary>The process id apphost.json gives a running resource, 0 while it has none.</summary>
    private static int RunningProcessOf(string statusPath, string resource) =>
        StatusFile.Read(statusPath)?.Resources.SingleOrDefault(r => r.Name == resource) is { ProcessId: int processId } status && status.State == KnownResourceStates.Running
            ? processId
            : 0;

    private static ManagedProcess Start(string dataDirectory, out ConcurrentQueue<string> output)
    {
        var lines = output = new ConcurrentQueue<string>();
        return ManagedProcess.Start(
            new ProcessSpec(RepositoryRoot.ServiceExecutable("AppHost"), ["--data-dir", dataDirectory, "--no-dashboard", "--api-port", "0"], RepositoryRoot.Path, new Dictionary<string, string?>()),
            lines.Enqueue);
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? within = null) =>
        AppHostEndToEndTests.WaitUntilAsync(condition, what, within: within ?? Patience);
}
