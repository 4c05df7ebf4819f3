using System.Globalization;
using System.Net.Sockets;
using System.Text;
using AspireJobs.AppHost.Processes;

namespace AspireJobs.AppHost.Infrastructure;

/// <summary>
/// A Redis server run from the machine's <c>redis-server</c>: loopback only, a generated password,
/// append-only persistence in <c>&lt;directory&gt;</c>. Its configuration file holds the password,
/// so it is written with mode 0600 and the password never appears on a command line.
/// </summary>
public sealed class LocalRedis(string directory, int port)
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public int Port { get; } = port;

    public string Password { get; private set; } = "";

    private string ConfigFile => Path.Combine(Directory, "redis.conf");

    public Task PrepareAsync(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        Password = SecretFile.ReadOrCreate(Path.Combine(Directory, "password"));
        SecretFile.WritePrivate(ConfigFile, string.Join('\n',
            "bind 127.0.0.1",
            "protected-mode yes",
            string.Create(CultureInfo.InvariantCulture, $"port {Port}"),
            $"requirepass {Password}",
            $"dir {Directory}",
            "daemonize no",
            "appendonly yes",
            "appendfsync everysec",
            "save \"\"",
            "") + "\n");
        return Task.CompletedTask;
    }

    public ProcessSpec ServerProcess() =>
        new(Prerequisites.RedisServer, [ConfigFile], Directory, new Dictionary<string, string?>());

    /// <summary>The connection string Aspire's Redis resource gives: host:port,password=...</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},password={Password}");

    /// <summary>Whether the server answers an authenticated PING (not while it is still loading its data).</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
            var stream = client.GetStream();
            var request = Encoding.ASCII.GetBytes($"*2\r\n$4\r\nAUTH\r\n${Password.Length}\r\n{Password}\r\n*1\r\n$4\r\nPING\r\n");
            await stream.WriteAsync(request, cancellationToken);

            var buffer = new byte[256];
            var received = new StringBuilder();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
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
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
