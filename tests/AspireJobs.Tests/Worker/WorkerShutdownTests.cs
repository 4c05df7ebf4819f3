using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;
using Npgsql;

namespace AspireJobs.Tests.Worker;

/// <summary>A real worker process stopped (SIGTERM) with jobs between their Redis lease and their run.</summary>
public sealed class WorkerShutdownTests(TestServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task AWorkerStoppedWhileItReadsItsLeasedJobs_GivesTheirLeasesBack()
    {
        var worker = await _system.StartWorkerAsync();
        var job = (await _system.Store.JobInsertAsync(TestJobs.New(), Token)).Job;

        // The read of a job that comes without a ticket waits behind a lock held here, and the
        // worker is stopped while it waits.
        await using var locker = await _system.Database.DataSource.OpenConnectionAsync(Token);
        await using var transaction = await locker.BeginTransactionAsync(Token);
        await using (var command = new NpgsqlCommand("LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE", locker, transaction))
        {
            await command.ExecuteNonQueryAsync(Token);
        }

        await _system.Dispatcher.EnqueueAsync([new QueuedJob(job.Id, job.Priority)]);
        await _system.WaitUntilAsync(async () => (await _system.Dispatcher.LeasesOfAsync([job.Id])).Count == 1
                && await _system.Database.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0,
            Patience, "the worker to lease the job and wait to read it");
        Assert.Equal(0, await worker.StopAsync(Patience));

        // Back at once, not when the lease expires: an expired lease is rescued as an attempt
        // that may have run, counted against a job that never did.
        Assert.Empty(await _system.Dispatcher.LeasesOfAsync([job.Id]));
        await transaction.RollbackAsync(Token);
        Assert.Equal("queued:0", await _system.Database.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE id = $1", job.Id));
    }
}
