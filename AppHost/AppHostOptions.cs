using System.Globalization;
using AspireJobs.AppHost.Infrastructure;

namespace AspireJobs.AppHost;

/// <summary>
/// The AppHost's command line: <c>[--workers N] [--api-port P] [--data-dir DIR] [--no-dashboard]
/// [--infrastructure auto|local|containers]</c>. Aspire's own switches (<c>--publisher manifest
/// --output-path X</c>, <c>--operation</c>, <c>--step</c>, ...) pass through to Aspire; anything
/// else is refused, so a typo never goes unnoticed.
/// </summary>
public sealed record AppHostOptions(
    int Workers,
    int ApiPort,
    string? DataDirectory,
    bool NoDashboard,
    InfrastructureMode Infrastructure,
    IReadOnlyList<string> AspireArgs)
{
    public const int DefaultWorkers = 2;
    public const int DefaultApiPort = 5080;
    public const int MaxWorkers = 64;

    /// <summary>The data directory, at the repository root unless <c>--data-dir</c> says otherwise.</summary>
    public const string DefaultDataDirectoryName = ".aspirejobs";

    public const string Usage =
        "usage: dotnet run --project AppHost -- [--workers N (1-64, default 2)] [--api-port P (0 = any free port, default 5080)] " +
        "[--data-dir DIR (default .aspirejobs)] [--no-dashboard] [--infrastructure auto|local|containers (default auto)]";

    // Aspire's own command-line switches (DistributedApplicationBuilder), passed through untouched.
    private static readonly HashSet<string> AspireSwitches = new(StringComparer.Ordinal)
    {
        "--operation", "--publisher", "--step", "--list-steps", "--output-path", "--log-level",
        "--include-exception-details", "--clear-cache", "--yes", "--environment",
        "--dcp-cli-path", "--dcp-container-runtime", "--dcp-dependency-check-timeout", "--dcp-dashboard-path",
    };

    public static AppHostOptions Default { get; } = new(DefaultWorkers, DefaultApiPort, null, false, InfrastructureMode.Auto, []);

    /// <exception cref="AppHostUsageException">An argument is unknown, missing its value, or out of range.</exception>
    public static AppHostOptions Parse(IReadOnlyList<string> args)
    {
        var options = Default;
        var aspireArgs = new List<string>();

        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = Split(args[i]);
            // A next argument that is an option is no value: "--data-dir --no-dashboard" lacks its directory.
            string Value() => inlineValue ?? (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new AppHostUsageException($"{name} needs a value. {Usage}"));

            switch (name)
            {
                case "--workers":
                    options = options with { Workers = Integer(name, Value(), 1, MaxWorkers) };
                    break;
                case "--api-port":
                    options = options with { ApiPort = Integer(name, Value(), 0, 65535) };
                    break;
                case "--data-dir":
                    var directory = Value();
                    options = options with
                    {
                        DataDirectory = directory.Length > 0 ? Path.GetFullPath(directory) : throw new AppHostUsageException($"--data-dir needs a directory. {Usage}"),
                    };
                    break;
                case "--no-dashboard":
                    options = inlineValue is null ? options with { NoDashboard = true } : throw new AppHostUsageException($"--no-dashboard takes no value. {Usage}");
                    break;
                case "--infrastructure":
                    var mode = Value();
                    options = options with
                    {
                        Infrastructure = Enum.TryParse<InfrastructureMode>(mode, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                            ? parsed
                            : throw new AppHostUsageException($"--infrastructure must be auto, local or containers (was '{mode}'). {Usage}"),
                    };
                    break;
                case var _ when AspireSwitches.Contains(name):
                    aspireArgs.Add(args[i]);
                    if (inlineValue is null && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        aspireArgs.Add(args[++i]);
                    }

                    break;
                default:
                    throw new AppHostUsageException($"Unknown argument '{args[i]}'. {Usage}");
            }
        }

        return options with { AspireArgs = aspireArgs };
    }

    /// <summary>
    /// Refuses an Api port something else listens on: the Api would start, fail to bind and be
    /// restarted again and again, where one line says what to do.
    /// </summary>
    public void ThrowIfApiPortInUse()
    {
        if (ApiPort == 0)
        {
            return;
        }

        try
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, ApiPort);
            probe.Start();
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            throw new AppHostUsageException($"Port {ApiPort} is already in use; choose another with --api-port P (0 takes any free port). {Usage}");
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new AppHostUsageException($"Port {ApiPort} cannot be listened on ({e.Message}); choose another with --api-port P (0 takes any free port). {Usage}");
        }
    }

    /// <summary>
    /// Refuses a data directory that cannot hold the AppHost's files (a file, a directory closed
    /// to us), in one line that names it, rather than with a stack trace from the first file written there.
    /// </summary>
    public static void ThrowIfDataDirectoryUnusable(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AppHostUsageException($"--data-dir {directory} cannot be used: {e.Message} {Usage}");
        }
    }

    /// <summary><c>--name=value</c> or <c>--name</c>.</summary>
    private static (string Name, string? Value) Split(string argument)
    {
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        return argument.StartsWith("--", StringComparison.Ordinal) && equals > 0
            ? (argument[..equals], argument[(equals + 1)..])
            : (argument, null);
    }

    private static int Integer(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new AppHostUsageException($"{name} must be a whole number from {min} to {max} (was '{value}'). {Usage}");
}

/// <summary>The command line was wrong. The message is one line, with the usage.</summary>
public sealed class AppHostUsageException(string message) : Exception(message);
