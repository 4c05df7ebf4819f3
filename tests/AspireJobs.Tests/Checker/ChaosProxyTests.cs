using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AspireJobs.Checker;

namespace AspireJobs.Tests.Checker;

public sealed class ChaosProxyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Latency_DelaysEachChunk_WithoutCappingTheStream_AndKeepsItsBytesInOrder()
    {
        var latency = TimeSpan.FromMilliseconds(300);
        using var target = new TcpListener(IPAddress.Loopback, 0);
        target.Start();
        await using var proxy = new ChaosProxy("test") { Target = (IPEndPoint)target.LocalEndpoint, Latency = latency };

        // 2 MiB is at least 128 of the proxy's reads: 38 s if every chunk waited behind the one before.
        var sent = new byte[2 * 1024 * 1024];
        new Random(7).NextBytes(sent);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port, Token);
        using var server = await target.AcceptSocketAsync(Token);

        var clock = Stopwatch.StartNew();
        var sending = client.SendAsync(sent, SocketFlags.None, Token);
        var received = new byte[sent.Length];
        var total = 0;
        TimeSpan? first = null;
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Token);
        patience.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            while (total < sent.Length)
            {
                var read = await server.ReceiveAsync(received.AsMemory(total), SocketFlags.None, patience.Token);
                Assert.NotEqual(0, read);
                first ??= clock.Elapsed;
                total += read;
            }
        }
        catch (OperationCanceledException) when (!Token.IsCancellationRequested)
        {
            Assert.Fail($"{total:N0} of {sent.Length:N0} bytes came through in 15 s");
        }

        await sending;
        Assert.True(first >= latency, $"the first bytes came after {first!.Value.TotalMilliseconds:0} ms, before the latency of {latency.TotalMilliseconds:0} ms");
        Assert.Equal(sent, received);
    }
}
