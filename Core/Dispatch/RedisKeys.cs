using AspireJobs.Core.Jobs;
using StackExchange.Redis;

namespace AspireJobs.Core.Dispatch;

/// <summary>
/// Every Redis key and channel AspireJobs uses, built in one place. All share one hash tag
/// (<c>{prefix}</c>), so the scripts that touch several of them also run on a Redis Cluster.
/// </summary>
public sealed class RedisKeys
{
    public const string DefaultPrefix = "aspirejobs";

    private readonly string _root;

    public RedisKeys(string prefix = DefaultPrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        Prefix = prefix;
        var root = "{" + prefix + "}:";
        High = root + "band:high";
        Medium = root + "band:medium";
        Low = root + "band:low";
        Leases = root + "leases";
        LeaseOwners = root + "lease-owners";
        LeaseFences = root + "lease-fences";
        FenceClock = root + "fence-clock";
        Tickets = root + "tickets";
        FairnessCursor = root + "fairness-cursor";
        AgingTurn = root + "aging-turn";
        EnqueueClock = root + "enqueue-clock";
        WakeChannelPrefix = root + "wake:";
        IdleWorkers = root + "idle-workers";
        ClosedWorkers = root + "closed-workers";
        CancelChannel = RedisChannel.Literal(root + "cancel");
        ControlChannel = RedisChannel.Literal(root + "control");
        LivenessEpoch = root + "liveness-epoch";
        _root = root;
    }

    public string Prefix { get; }

    /// <summary>Sorted set of queued job ids, priorities 4-5, in enqueue order (see enqueue.lua).</summary>
    public RedisKey High { get; }

    /// <summary>Sorted set of queued job ids, priorities 2-3, in enqueue order.</summary>
    public RedisKey Medium { get; }

    /// <summary>Sorted set of queued job ids, priority 1, in enqueue order.</summary>
    public RedisKey Low { get; }

    /// <summary>Sorted set of leased job ids, scored by lease deadline in ms.</summary>
    public RedisKey Leases { get; }

    /// <summary>Hash of leased job id to the id of the worker that holds the lease.</summary>
    public RedisKey LeaseOwners { get; }

    /// <summary>Hash of leased job id to the fence token of its lease (see acquire.lua).</summary>
    public RedisKey LeaseFences { get; }

    /// <summary>Hash of queued job id to its ticket: what a worker needs to run it (see <see cref="JobTicket"/>).</summary>
    public RedisKey Tickets { get; }

    /// <summary>The last fence token given, so tokens keep increasing (see acquire.lua).</summary>
    public RedisKey FenceClock { get; }

    /// <summary>Counter that walks the weighted band cycle of the fairness policy.</summary>
    public RedisKey FairnessCursor { get; }

    /// <summary>'1' when the last job taken was taken by aging, which then leaves the next to the cycle (see acquire.lua).</summary>
    public RedisKey AgingTurn { get; }

    /// <summary>The last band score given, so scores keep increasing (see enqueue.lua).</summary>
    public RedisKey EnqueueClock { get; }

    /// <summary>The prefix of each worker's wake channel, on which an enqueue wakes it when it is idle.</summary>
    public string WakeChannelPrefix { get; }

    /// <summary>A worker's own wake channel.</summary>
    public RedisChannel WakeChannel(Guid workerId) => RedisChannel.Literal(WakeChannelPrefix + workerId.ToString());

    /// <summary>Set of the ids of workers that found the bands empty and wait to be woken.</summary>
    public RedisKey IdleWorkers { get; }

    /// <summary>Set of the ids of workers ordered to drain or exit: acquisition leases them nothing (see order.lua).</summary>
    public RedisKey ClosedWorkers { get; }

    /// <summary>Pub/sub channel that carries the id of a running job a client cancelled.</summary>
    public RedisChannel CancelChannel { get; }

    /// <summary>Pub/sub channel that carries orders to workers: <c>drain:&lt;id&gt;</c>, <c>exit:&lt;id&gt;</c>.</summary>
    public RedisChannel ControlChannel { get; }

    /// <summary>
    /// A marker the health monitor keeps set. Finding it gone means Redis lost its data (a
    /// restart without persistence, a FLUSHALL): every heartbeat key went with it, so no worker
    /// may be declared dead until the workers had time to beat again.
    /// </summary>
    public RedisKey LivenessEpoch { get; }

    /// <summary>
    /// Set when the health monitor declares a worker dead: acquisition leases it nothing more, so a
    /// worker that was only paused, and comes back before it hears, takes no job that the monitor
    /// would rescue from it as a crash. It expires (<see cref="JobDispatcher.DeadMarkLifetime"/>).
    /// </summary>
    public RedisKey DeadMark(Guid workerId) => _root + "dead:" + workerId.ToString();

    /// <summary>A worker's heartbeat key; it expires when the worker stops beating.</summary>
    public RedisKey Heartbeat(Guid workerId) => _root + "heartbeat:" + workerId.ToString();

    /// <summary>The three bands, highest first.</summary>
    public RedisKey[] Bands => [High, Medium, Low];

    public RedisKey Band(PriorityBand band) => band switch
    {
        PriorityBand.High => High,
        PriorityBand.Medium => Medium,
        PriorityBand.Low => Low,
        _ => throw new ArgumentOutOfRangeException(nameof(band), band, null),
    };
}
