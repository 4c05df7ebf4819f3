using System.Globalization;

namespace AspireJobs.AppHost;

/// <summary>
/// The AppHost's command line: <c>[--workers N] [--api-port P] [--data-dir DIR]</c>.
/// Defaults: 2 workers, port 5080, <c>.aspirejobs/</c> at the repository root.
/// </summary>
public sealed record AppHostOptions(int Workers, int ApiPort, string DataDirectory)
{
    public const int DefaultWorkers = 2;
    public const int DefaultApiPort = 5080;
    public const int MaxWorkers = 64;

    public const string Usage = "usage: dotnet run --project AppHost -- [--workers N (1-64, default 2)] [--api-port P (0 = any free port, default 5080)] [--data-dir DIR (default .aspirejobs)]";

    /// <exception cref="AppHostUsageException">An argument is unknown, missing its value, or out of range.</exception>
    public static AppHostOptions Parse(IReadOnlyList<string> args, string repositoryRoot)
    {
        var workers = DefaultWorkers;
        var apiPort = DefaultApiPort;
        var dataDirectory = Path.Combine(repositoryRoot, ".aspirejobs");

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new AppHostUsageException($"{name} needs a value. {Usage}");

            switch (name)
            {
                case "--workers":
                    workers = Integer(name, Value(), 1, MaxWorkers);
                    break;
                case "--api-port":
                    apiPort = Integer(name, Value(), 0, 65535);
                    break;
                case "--data-dir":
                    dataDirectory = Path.GetFullPath(Value());
                    break;
                default:
                    throw new AppHostUsageException($"Unknown argument '{name}'. {Usage}");
            }
        }

        return new AppHostOptions(workers, apiPort, dataDirectory);
    }

    private static int Integer(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new AppHostUsageException($"{name} must be a whole number from {min} to {max} (was '{value}'). {Usage}");
}

/// <summary>The command line was wrong. The message is one line, with the usage.</summary>
public sealed class AppHostUsageException(string message) : Exception(message);
