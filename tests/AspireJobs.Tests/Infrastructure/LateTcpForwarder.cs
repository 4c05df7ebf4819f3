using System.Net;
using System.Net.Sockets;
using AspireJobs.LocalProcesses;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// A loopback port that forwards to a server once opened. Until then nothing listens on it, so a
/// client there is refused as by a server that is down; a test turns the server "on" without
/// stopping the one every other test shares.
/// </summary>
public sealed class LateTcpForwarder(int targetPort) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _connections = [];
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;

    public int Port { get; } = FreePort.Next();

    public void Open()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _accepting = AcceptAsync(_listener);
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(_stopping.Token);
                _ = ForwardAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using var server = new TcpClient();
        lock (_connections)
        {
            _connections.Add(client);
            _connections.Add(server);
        }

        try
        {
            await server.ConnectAsync(IPAddress.Loopback, targetPort, _stopping.Token);
            // Either side closing ends both: the other is closed in the finally.
            await Task.WhenAny(
                client.GetStream().CopyToAsync(server.GetStream(), _stopping.Token),
                server.GetStream().CopyToAsync(client.GetStream(), _stopping.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener?.Stop();
        await _accepting;
        lock (_connections)
        {
            _connections.ForEach(connection => connection.Dispose());
        }

        _stopping.Dispose();
    }
}
