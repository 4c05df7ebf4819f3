using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace AspireJobs.Checker;

/// <summary>
/// A TCP proxy on loopback between the services and a server (Redis, PostgreSQL) that degrades
/// the network on demand: delays every chunk forwarded, drops every connection at once
/// (a reset), holds every connection half-open (nothing forwarded either way, no FIN, no
/// reset) until healed, the way a vanished peer behind a NAT looks, or loses the answer to one
/// request (the request served, its connection closed as the answer comes back).
/// </summary>
public sealed class ChaosProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Guid, (Socket Client, Socket Server)> _connections = new();
    private readonly Task _accepting;
    private volatile bool _halfOpen;
    private byte[]? _loseAnswerTo;
    private int _answersLost;

    public ChaosProxy(string name)
    {
        Name = name;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Name { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Where connections go; set once the server's port is known.</summary>
    public IPEndPoint? Target { get; set; }

    /// <summary>How long after it came each chunk is passed on, in both directions.</summary>
    public TimeSpan Latency { get; set; }

    public int Connections => _connections.Count;

    /// <summary>While set, nothing is forwarded and new connections are held: every connection looks alive and answers nothing.</summary>
    public bool HalfOpen
    {
        get => _halfOpen;
        set => _halfOpen = value;
    }

    /// <summary>
    /// The next chunk a client sends that holds <paramref name="request"/> goes on to the server;
    /// as the server's answer comes back, the connection is closed instead. For PostgreSQL,
    /// <c>"COMMIT\0"</c> is a commit that happened whose client cannot know it did (connections
    /// without TLS: the proxy reads the protocol's bytes).
    /// </summary>
    public void LoseTheAnswerToTheNext(ReadOnlySpan<byte> request) => Volatile.Write(ref _loseAnswerTo, request.ToArray());

    /// <summary>How many answers <see cref="LoseTheAnswerToTheNext"/> lost so far.</summary>
    public int AnswersLost => Volatile.Read(ref _answersLost);

    /// <summary>Resets every open connection at once (RST), as a restarted middlebox would.</summary>
    public int DropAll()
    {
        var dropped = 0;
        foreach (var (id, (client, server)) in _connections)
        {
            if (_connections.TryRemove(id, out _))
            {
                Reset(client);
                Reset(server);
                dropped++;
            }
        }

        return dropped;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var id = Guid.NewGuid();
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await WhileHalfOpenAsync();
            await server.ConnectAsync(Target ?? throw new InvalidOperationException($"{Name}: no target yet."), _stop.Token);
            _connections[id] = (client, server);
            var answerToLose = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await Task.WhenAny(PumpAsync(client, server, answerToLose, null), PumpAsync(server, client, null, answerToLose.Task));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            // The server is down, or the connection was dropped: the client sees it closed.
        }
        finally
        {
            _connections.TryRemove(id, out _);
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, TaskCompletionSource? requestSeen, Task? answerToLose)
    {
        try
        {
            await ForwardAsync(from, to, requestSeen, answerToLose);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
            // Either side went away; ServeAsync closes the other.
        }
    }

    /// <summary>
    /// Reads chunks as they come and passes each on <see cref="Latency"/> after it came: a delay,
    /// not a limit on throughput, since the chunks behind one wait out their own delays meanwhile.
    /// From a client, a chunk that holds the request whose answer is to be lost is marked
    /// (<paramref name="requestSeen"/>) before it goes on; from the server, the first chunk after
    /// that mark (<paramref name="answerToLose"/>) ends the connection instead of going on.
    /// </summary>
    private async Task ForwardAsync(Socket from, Socket to, TaskCompletionSource? requestSeen, Task? answerToLose)
    {
        var chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        var sending = SendAsync(chunks, to);
        try
        {
            while (true)
            {
                await WhileHalfOpenAsync();
                var buffer = new byte[16 * 1024];
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (requestSeen is not null && Volatile.Read(ref _loseAnswerTo) is { } request
                    && buffer.AsSpan(0, read).IndexOf(request) >= 0
                    && Interlocked.CompareExchange(ref _loseAnswerTo, null, request) == request)
                {
                    requestSeen.TrySetResult();
                }

                if (answerToLose is { IsCompleted: true })
                {
                    Interlocked.Increment(ref _answersLost);
                    break;
                }

                await chunks.Writer.WriteAsync(new Chunk(buffer, read, Stopwatch.GetTimestamp() + (long)(Latency.TotalSeconds * Stopwatch.Frequency)), _stop.Token);
            }
        }
        finally
        {
            chunks.Writer.TryComplete();
        }

        await sending;
        to.Shutdown(SocketShutdown.Send);
    }

    private async Task SendAsync(Channel<Chunk> chunks, Socket to)
    {
        try
        {
            await foreach (var (bytes, count, due) in chunks.Reader.ReadAllAsync(_stop.Token))
            {
                // Again until due: a timer counts whole milliseconds, and may fire a little early.
                while (Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due) is { Ticks: > 0 } wait)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), _stop.Token);
                }

                await WhileHalfOpenAsync();
                await to.SendAsync(bytes.AsMemory(0, count), SocketFlags.None, _stop.Token);
            }
        }
        finally
        {
            chunks.Writer.TryComplete(); // a reader waiting for room gives up too
        }
    }

    /// <summary>Bytes read from one side, to be passed on at <paramref name="Due"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    private readonly record struct Chunk(byte[] Bytes, int Count, long Due);

    private async Task WhileHalfOpenAsync()
    {
        while (_halfOpen)
        {
            await Task.Delay(20, _stop.Token);
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // close with RST, not FIN
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAll();
        await _accepting;
        _stop.Dispose();
    }
}
