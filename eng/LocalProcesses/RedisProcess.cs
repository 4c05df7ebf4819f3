using System.Net.Sockets;
using System.Text;
using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Infrastructure.LocalRedis;

namespace AspireJobs.LocalProcesses;

/// <summary>
/// A Redis server of the machine's <c>redis-server</c> that a test run or the benchmark owns:
/// the AppHost's <see cref="RedisServerConfig"/> on a free loopback port, started and stopped
/// (or paused) by process id.
/// </summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ManagedProcess _process;

    private RedisProcess(string directory, int port, string password, ManagedProcess process)
    {
        Directory = directory;
        Port = port;
        Password = password;
        _process = process;
    }

    /// <summary>The server's directory: its configuration, password and data.</summary>
    public string Directory { get; }

    public int Port { get; }

    public string Password { get; }

    public string ConnectionString => RedisServerConfig.ConnectionString(Port, Password);

    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts a server in <paramref name="directory"/>: on a free port, or on <paramref name="port"/>
    /// to restart one that stopped there, with its password and whatever data it kept.
    /// </summary>
    public static async Task<RedisProcess> StartAsync(string directory, int? port = null)
    {
        directory = Path.GetFullPath(directory);
        var password = RedisServerConfig.ReadOrCreatePassword(directory);
        var config = RedisServerConfig.Write(directory, password);
        port ??= FreePort.Next();
        var process = ManagedProcess.Start(
            new ProcessSpec(ServerPrograms.RedisServer, [config, "--port", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)], directory, new Dictionary<string, string?>()),
            _ => { });
        var server = new RedisProcess(directory, port.Value, password, process);
        await server.WaitUntilReadyAsync();
        return server;
    }

    /// <summary>Sends a signal to the server (SIGSTOP and SIGCONT pause and resume it).</summary>
    public bool Signal(int signal) => _process.Signal(signal);

    public async ValueTask DisposeAsync() => await _process.StopAsync(PosixSignals.SIGTERM, TimeSpan.FromSeconds(10));

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await AnswersPingAsync())
        {
            if (_process.Exited.IsCompleted)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.Exited.Result} while starting.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"redis-server did not start within {StartTimeout.TotalSeconds} s.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Whether the server answers an authenticated PING (not while it is still loading its data).</summary>
    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"*2\r\n$4\r\nAUTH\r\n${Password.Length}\r\n{Password}\r\n*1\r\n$4\r\nPING\r\n"), timeout.Token);
            var received = new StringBuilder();
            var buffer = new byte[256];
            while (!received.ToString().Contains("PONG", StringComparison.Ordinal) && !received.ToString().Contains('-', StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return received.ToString() == "+OK\r\n+PONG\r\n";
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}
