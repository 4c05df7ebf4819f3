namespace AspireJobs.AppHost.Hosting;

/// <summary>Where the lines every resource prints go: the AppHost's console, or a test's buffer.</summary>
public interface IProcessOutput
{
    void Write(string resourceName, string line);
}

/// <summary>Each line prefixed with its resource's name, in a colour per resource on a terminal.</summary>
public sealed class ConsoleProcessOutput : IProcessOutput
{
    private static readonly string[] Colours = ["\e[36m", "\e[33m", "\e[35m", "\e[32m", "\e[34m", "\e[91m", "\e[96m", "\e[93m"];
    private readonly Dictionary<string, string> _colourOf = new(StringComparer.Ordinal);
    private readonly bool _useColour = !Console.IsOutputRedirected;
    private readonly Lock _lock = new();

    public void Write(string resourceName, string line)
    {
        lock (_lock)
        {
            if (!_useColour)
            {
                Console.Out.WriteLine($"{resourceName,-22} | {line}");
                return;
            }

            if (!_colourOf.TryGetValue(resourceName, out var colour))
            {
                colour = Colours[_colourOf.Count % Colours.Length];
                _colourOf[resourceName] = colour;
            }

            Console.Out.WriteLine($"{colour}{resourceName,-22}\e[0m | {line}");
        }
    }
}
