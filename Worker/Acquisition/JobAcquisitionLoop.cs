using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Worker.Execution;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace AspireJobs.Worker.Acquisition;

/// <summary>
/// The worker's pull loop. While it has free slots it takes jobs from Redis (never more than it
/// has slots for), moves them to running in PostgreSQL, and runs each on its own task. When the
/// bands are empty it sleeps until an enqueue wakes it over pub/sub, or until the slow safety
/// poll; there is no tight polling.
/// </summary>
public sealed partial class JobAcquisitionLoop(
    JobDispatcher dispatcher,
    JobStore store,
    JobExecutor executor,
    WorkerIdentity identity,
    IOptions<WorkerOptions> options,
    ILogger<JobAcquisitionLoop> logger) : BackgroundService
{
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromSeconds(1);

    private readonly WorkerOptions _options = options.Value;
    private readonly Signal _wake = new();
    private readonly Signal _slotFreed = new();
    private readonly HashSet<Task> _running = [];
    private int _inFlight;

    /// <summary>Jobs this worker is running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await dispatcher.SubscribeToWakeUpsAsync(_wake.Set);
        var fairness = _options.Fairness;

        while (!stoppingToken.IsCancellationRequested)
        {
            var free = _options.Concurrency - InFlight;
            if (free <= 0)
            {
                await _slotFreed.WaitAsync(Timeout.InfiniteTimeSpan, stoppingToken);
                continue;
            }

            var wanted = Math.Min(free, _options.AcquireBatchSize);
            _wake.Reset();
            int taken;
            try
            {
                taken = await AcquireAndStartAsync(wanted, fairness, stoppingToken);
            }
            catch (Exception e) when (e is RedisException or NpgsqlException or TimeoutException)
            {
                LogAcquireFailed(e.Message);
                await Task.Delay(ErrorBackoff, stoppingToken);
                continue;
            }

            if (taken < wanted)
            {
                // The bands ran dry: sleep until an enqueue wakes us (or a missed wake is caught).
                await _wake.WaitAsync(_options.SafetyPollInterval, stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Task[] running;
        lock (_running)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).WaitAsync(cancellationToken);
    }

    /// <summary>Returns how many jobs Redis handed over (started or not), so the caller knows if the bands ran dry.</summary>
    private async Task<int> AcquireAndStartAsync(int wanted, FairnessPolicy fairness, CancellationToken stoppingToken)
    {
        var ids = await dispatcher.AcquireAsync(identity.Id, wanted, _options.LeaseLength, fairness);
        if (ids.Count == 0)
        {
            return 0;
        }

        var started = await store.JobSetRunningIfQueuedAsync(ids, identity.Id, _options.LeaseGrace, stoppingToken);
        if (started.Count < ids.Count)
        {
            // Cancelled, or started elsewhere from a duplicate entry: not ours to run.
            var startedIds = started.Select(job => job.Id).ToHashSet();
            await dispatcher.ReleaseAsync(identity.Id, ids.Where(id => !startedIds.Contains(id)).ToList());
        }

        foreach (var job in started)
        {
            Run(job, stoppingToken);
        }

        return ids.Count;
    }

    private void Run(StartedJob job, CancellationToken stoppingToken)
    {
        Interlocked.Increment(ref _inFlight);
        var task = Task.Run(() => executor.RunAsync(job, stoppingToken), CancellationToken.None);
        lock (_running)
        {
            _running.Add(task);
        }

        task.ContinueWith(
            finished =>
            {
                lock (_running)
                {
                    _running.Remove(finished);
                }

                if (finished.Exception is { } e)
                {
                    LogRunFailed(job.Id, e.GetBaseException().Message);
                }

                Interlocked.Decrement(ref _inFlight);
                _slotFreed.Set();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not take jobs ({Reason}); trying again shortly")]
    private partial void LogAcquireFailed(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} could not be finished ({Reason}); its lease will expire and it will be rescued")]
    private partial void LogRunFailed(Guid jobId, string reason);
}
