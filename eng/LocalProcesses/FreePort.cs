using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AspireJobs.LocalProcesses;

/// <summary>
/// A TCP port on the loopback interface that nothing listens on right now, and that this process
/// has not handed out before: a port is chosen long before its server binds it, and the kernel
/// may offer the same free port twice in the meantime.
/// </summary>
public static class FreePort
{
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (HandedOut.TryAdd(port, true))
            {
                return port;
            }
        }
    }
}
