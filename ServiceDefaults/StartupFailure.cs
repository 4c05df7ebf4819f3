using Microsoft.Extensions.Options;

namespace AspireJobs.ServiceDefaults;

/// <summary>
/// Turns a configuration error that escapes start-up into one line on stderr and exit code 1,
/// instead of a stack trace: the operator needs the key and the fix, not the call chain.
/// Other unhandled exceptions keep the runtime's full report.
/// </summary>
public static class StartupFailure
{
    public const int ExitCode = 1;

    private static int _registered;

    public static void ExplainConfigurationErrors(string serviceName)
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is Exception exception && Explain(exception) is { } message)
            {
                Console.Error.WriteLine($"{serviceName}: {message}");
                Environment.Exit(ExitCode);
            }
        };
    }

    /// <summary>The one-line explanation of a configuration error, or null for any other failure.</summary>
    public static string? Explain(Exception exception) => exception switch
    {
        ConfigurationException e => e.Message,
        OptionsValidationException e => string.Join("; ", e.Failures),
        AggregateException e when e.InnerExceptions.All(inner => Explain(inner) is not null) =>
            string.Join("; ", e.InnerExceptions.Select(inner => Explain(inner))),
        _ when exception.InnerException is { } inner => Explain(inner),
        _ => null,
    };
}
