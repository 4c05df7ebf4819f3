using System.Diagnostics.Metrics;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Jobs this Api committed whose push to Redis then failed (Redis down or slow), pushed again
/// from here every <see cref="ApiOptions.PushRetryInterval"/> until Redis takes them: such a job
/// waits for Redis to answer, not for the health monitor's reconciler to come round (nor for a
/// monitor to restart). The reconciler still finds what this process did not push: a job beyond
/// <see cref="ApiOptions.PushRetryLimit"/>, or one held when the Api stopped or died. Jobs that
/// repeated creates answered with are pushed from here too (<see cref="EnqueueRepeatedAsync"/>).
/// </summary>
/// <remarks>
/// A failed push may have landed all the same (a timeout after Redis ran it), and a worker may
/// be running its job by now. So each job goes back as PostgreSQL has it at the retry (a job
/// cancelled or finished meanwhile stays out), without its ticket, and the push leaves a job that
/// Redis holds in a band or under a lease as it is (<see cref="JobDispatcher.EnqueueAsync"/>): a
/// lease left by a Redis restored from older data is the reconciler's to drop, once it expires.
/// </remarks>
public sealed partial class UnpushedJobs : BackgroundService
{
    /// <summary>The most jobs read and pushed again at a time.</summary>
    private const int BatchSize = 1_000;

    private readonly JobStore _store;
    private readonly JobDispatcher _dispatcher;
    private readonly TimeProvider _clock;
    private readonly ApiOptions _options;
    private readonly ILogger<UnpushedJobs> _logger;
    private readonly Lock _lock = new();

    /// <summary>The jobs waiting, each with the number of the <see cref="Add"/> that held it last.</summary>
    private readonly Dictionary<Guid, long> _waiting = [];
    private long _adds;
    private bool _failing;

    private readonly RedisFollowUp _followUp;

    public UnpushedJobs(JobStore store, JobDispatcher dispatcher, RedisFollowUp followUp, TimeProvider clock, IOptions<ApiOptions> options, IMeterFactory meters, ILogger<UnpushedJobs> logger)
    {
        _store = store;
        _dispatcher = dispatcher;
        _followUp = followUp;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
        meters.Create(JobsTelemetry.Name).CreateObservableGauge(
            "aspirejobs.jobs.unpushed", () => Count, "{job}", "Jobs created or requeued whose push to Redis failed, waiting in the Api for their push again.");
    }

    /// <summary>How many jobs wait for their push.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>
    /// Pushes jobs the Api just committed queued (created, or requeued) to their bands, with the
    /// <paramref name="tickets"/> of new ones; if Redis refuses, holds them for a retried push.
    /// </summary>
    public async Task EnqueueAsync(IReadOnlyCollection<QueuedJob> jobs, NewJobTickets? tickets = null)
    {
        // With Redis known to be away, the push would wait out the client's timeout in its
        // backlog, and the answer to the create with it: the jobs are held for the retried push
        // at once, and reach their bands within a retry interval of Redis's return.
        if (!_dispatcher.IsConnected)
        {
            Add(jobs.Select(job => job.Id));
            return;
        }

        if (!await _followUp.TryAsync(() => _dispatcher.EnqueueAsync(jobs, tickets), "new or requeued jobs to their bands"))
        {
            Add(jobs.Select(job => job.Id));
        }
    }

    /// <summary>
    /// Pushes the jobs that repeated creates (an idempotency key seen before) answered with, those
    /// that still belong in a band: the create repeated may be one whose commit landed while its
    /// answer, and so its push, were lost (PostgreSQL or this Api failing under it), and its job
    /// would wait for the reconciler. A job Redis holds already is left as it is. As the
    /// reconciler, it pushes only a job created a ticket's lifetime ago on Redis's clock: a
    /// younger one's first push may still be on its way with its ticket, and the two entries
    /// could run its handler twice. A younger one, and any while a server fails, is left to the
    /// reconciler.
    /// </summary>
    public async Task EnqueueRepeatedAsync(IReadOnlyCollection<Guid> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }

        if (!_dispatcher.IsConnected)
        {
            LogRepeatedNotChecked(_logger, ids.Count, "no connection to Redis");
            return;
        }

        try
        {
            var createdBefore = await _dispatcher.RedisTimeAsync() - JobTicket.Lifetime;
            await _dispatcher.EnqueueAsync(await _store.JobGetDispatchableCreatedBeforeAsync(ids, createdBefore, CancellationToken.None));
        }
        catch (Exception e) when (e is NpgsqlException || RedisFailure.Is(e))
        {
            // The repeat is answered all the same: its job is in PostgreSQL, and the reconciler finds it if Redis lacks it.
            LogRepeatedNotChecked(_logger, ids.Count, RedisFailure.Describe(e));
        }
    }

    /// <summary>Holds jobs whose push failed, up to the limit; the rest are left to the reconciler.</summary>
    public void Add(IEnumerable<Guid> jobIds)
    {
        var limit = _options.PushRetryLimit;
        var leftOut = 0;
        lock (_lock)
        {
            var add = ++_adds;
            foreach (var id in jobIds)
            {
                if (_waiting.Count < limit || _waiting.ContainsKey(id))
                {
                    _waiting[id] = add;
                }
                else
                {
                    leftOut++;
                }
            }
        }

        if (leftOut > 0 && limit > 0)
        {
            LogOverLimit(_logger, leftOut, limit);
        }
    }

    /// <summary>Pushes the waiting jobs again, a batch at a time, until none waits or Redis or PostgreSQL fails; returns how many went back to a band.</summary>
    public async Task<long> PushAsync(CancellationToken cancellationToken)
    {
        long pushed = 0;
        if (!_dispatcher.IsConnected)
        {
            // Nothing to do until Redis is back: a round now would read PostgreSQL and then wait
            // in the client's backlog, to push what it read then, seconds stale, on reconnection.
            if (Count > 0)
            {
                SayStillWaitingOnce("no connection to Redis");
            }

            return pushed;
        }

        while (Next() is { Length: > 0 } batch)
        {
            try
            {
                pushed += await _dispatcher.EnqueueAsync(await _store.JobGetDispatchableAsync(batch.Select(job => job.Key).ToList(), cancellationToken));
            }
            catch (Exception e) when (e is NpgsqlException || RedisFailure.Is(e))
            {
                // Still unreachable: they wait for the next round.
                SayStillWaitingOnce(RedisFailure.Describe(e));
                break;
            }

            _failing = false;
            lock (_lock)
            {
                // A job held again meanwhile (its push failed once more) waits for the next round.
                foreach (var (id, add) in batch)
                {
                    if (_waiting.TryGetValue(id, out var latest) && latest == add)
                    {
                        _waiting.Remove(id);
                    }
                }
            }
        }

        if (pushed > 0)
        {
            LogPushed(_logger, pushed);
        }

        if (Count == 0)
        {
            _failing = false; // the next outage is said again
        }

        return pushed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.PushRetryInterval, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await PushAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRoundFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        if (Count > 0)
        {
            LogLeftAtStop(_logger, Count);
        }
    }

    /// <summary>Says that jobs wait for Redis or PostgreSQL once an outage, not every round.</summary>
    private void SayStillWaitingOnce(string reason)
    {
        if (!_failing)
        {
            LogStillWaiting(_logger, Count, reason);
        }

        _failing = true;
    }

    private KeyValuePair<Guid, long>[] Next()
    {
        lock (_lock)
        {
            return _waiting.Take(BatchSize).ToArray();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushed {Count} jobs to their bands whose push had failed before")]
    private static partial void LogPushed(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} jobs wait for their push again until Redis and PostgreSQL answer: {Reason}")]
    private static partial void LogStillWaiting(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A round of retried pushes failed; the jobs wait for the next")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} jobs whose push failed are left to the reconciler: the Api holds at most {Limit} for a retried push (Api:PushRetryLimit)")]
    private static partial void LogOverLimit(ILogger logger, int count, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} jobs answered to repeated creates could not be pushed; the reconciler pushes any Redis lacks: {Reason}")]
    private static partial void LogRepeatedNotChecked(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Api stopped with {Count} jobs still to push; the reconciler will push them")]
    private static partial void LogLeftAtStop(ILogger logger, int count);
}
