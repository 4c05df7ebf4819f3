using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AspireJobs.ServiceDefaults;

/// <summary>An options class that checks its own values and names the offending keys.</summary>
public interface IValidatedOptions
{
    /// <summary>One message per bad value, each naming its key as <c>section:Property</c>.</summary>
    IEnumerable<string> Validate(string section);
}

/// <summary>
/// Binds an options class from its configuration section and validates it at once (so a bad
/// value stops the service before it connects to anything) and again when the host starts (for
/// configuration added after registration), with a message that names the key.
/// </summary>
public static class ValidatedOptions
{
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IHostApplicationBuilder builder, string section)
        where T : class, IValidatedOptions, new()
    {
        var current = new T();
        Bind(builder.Configuration.GetSection(section), current);
        var failures = current.Validate(section).ToList();
        if (failures.Count > 0)
        {
            throw new ConfigurationException(string.Join("; ", failures));
        }

        builder.Services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(section));
        return builder.Services.AddOptions<T>()
            .Configure<IConfiguration>((options, configuration) => Bind(configuration.GetSection(section), options))
            .ValidateOnStart();
    }

    private static void Bind<T>(IConfigurationSection section, T options) where T : class
    {
        try
        {
            section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            // An unconvertible value ("Failed to convert configuration value at 'Worker:Concurrency'")
            // or a key the options class does not have (a typo).
            throw new ConfigurationException($"Configuration section '{section.Path}': {e.Message}", e);
        }
    }

    private sealed class SectionValidator<T>(string section) : IValidateOptions<T> where T : class, IValidatedOptions
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var failures = options.Validate(section).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
