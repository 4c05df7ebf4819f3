using System.Net;
using System.Net.Sockets;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// A loopback port that forwards to a server once opened. Until then it resets every connection
/// at once, as a server that is down would, so a test turns the server "on" without stopping the
/// one every other test shares. It listens from the start, so no other socket takes its port.
/// </summary>
public sealed class LateTcpForwarder : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _forwards = [];
    private readonly Task _accepting;
    private volatile bool _open;

    public LateTcpForwarder(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Open() => _open = true;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                if (!_open)
                {
                    client.LingerState = new LingerOption(true, 0);
                    client.Dispose();
                    continue;
                }

                lock (_forwards)
                {
                    _forwards.Add(ForwardAsync(client));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token);
            // Either side closing ends both: whichever copy ends first, the using blocks close
            // both sockets, which ends the other.
            var up = client.GetStream().CopyToAsync(server.GetStream(), _stopping.Token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), _stopping.Token);
            await Task.WhenAny(up, down);
            client.Close();
            server.Close();
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A connection's end, from either side or from this forwarder's stop.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] forwards;
        lock (_forwards)
        {
            forwards = [.. _forwards];
        }

        await Task.WhenAll(forwards);
        _stopping.Dispose();
    }
}
