using AspireJobs.Checker;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.EndToEnd;

/// <summary>
/// The loss-and-duplication checker, short: the whole application through its AppHost under a
/// steady load of jobs, every fault class injected once (processes killed, Redis wiped, PostgreSQL
/// restarted, a worker paused, the network slowed, reset and held half-open), then proof that
/// nothing acknowledged was lost, nothing finished twice, the counts agree, no session leaked and
/// no process is left behind. The benchmark's <c>checker</c> mode runs the long version.
/// </summary>
public sealed class LossAndDuplicationTests(TestServers servers, ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UnderEveryFaultClass_NothingAcknowledgedIsLost_AndNothingFinishesTwice()
    {
        int[] processIds;
        CheckerReport report;
        await using (var checkedApp = await CheckedAppHost.StartAsync(servers.CreateDirectory("checker"), workers: 2, Token))
        {
            var system = checkedApp.System;
            report = await new LossChecker(system, new CheckerOptions(), output.WriteLine).RunAsync(CheckerFaults.All(system.HeartbeatTimeout), Token);
            output.WriteLine(report.ToString());
            // Beside the tests, and attached to the result: the table of every run, not only a failing one.
            await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "checker-report.txt"), report.ToString(), Token);
            TestContext.Current.AddAttachment("checker-report.txt", report.ToString());
            processIds = [.. system.Status().Resources.Where(r => r.ProcessId is not null).Select(r => r.ProcessId!.Value)];
        }

        Assert.True(report.NothingLostOrDuplicated, report.ToString());
        Assert.True(report.CountsAgree, report.ToString());
        Assert.True(report.Acknowledged >= 500, report.ToString());
        // Once every job finished, a session still busy or idle in a transaction is one a fault
        // left checked out (the pools keep idle ones, which are not leaks).
        Assert.True(report.BusySessionsAfter <= 3, report.ToString());
        Assert.All(processIds, pid => Assert.False(PosixSignals.IsAlive(pid), $"process {pid} is still alive after the AppHost stopped"));
    }
}
