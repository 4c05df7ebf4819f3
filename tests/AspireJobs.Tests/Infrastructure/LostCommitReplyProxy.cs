using System.Net;
using System.Net.Sockets;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// A TCP proxy in front of PostgreSQL that, once armed, passes the next <c>COMMIT</c> on to the
/// server and then closes the connection as the server's answer comes back: a commit that
/// happened, whose client cannot know it did. Connections must not use TLS (the proxy reads the
/// protocol's bytes).
/// </summary>
public sealed class LostCommitReplyProxy : IAsyncDisposable
{
    /// <summary>How Npgsql ends a transaction: a simple query whose text is <c>COMMIT</c>, null-terminated.</summary>
    private static readonly byte[] CommitQuery = "COMMIT\0"u8.ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _armed;
    private int _cut;

    public LostCommitReplyProxy(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The commits whose answers were lost so far.</summary>
    public int Cut => Volatile.Read(ref _cut);

    /// <summary>The next COMMIT that passes reaches the server; its answer does not reach the client.</summary>
    public void LoseTheNextCommitsReply() => Volatile.Write(ref _armed, 1);

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
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (client)
        {
            client.NoDelay = true;
            var cutting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
                await Task.WhenAny(ToServerAsync(client, server, cutting), ToClientAsync(server, client, cutting.Task));
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Either side went away: the other is closed below.
            }
        }
    }

    private async Task ToServerAsync(Socket client, Socket server, TaskCompletionSource cutting)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return;
            }

            // Marked before the commit is sent, so its answer is never passed on.
            if (buffer.AsSpan(0, read).IndexOf(CommitQuery) >= 0 && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                cutting.TrySetResult();
            }

            await server.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    private async Task ToClientAsync(Socket server, Socket client, Task cutting)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await server.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return;
            }

            if (cutting.IsCompleted)
            {
                // The server answered the commit, so it is done; the client hears the connection close instead.
                Interlocked.Increment(ref _cut);
                return;
            }

            await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
