using System.Diagnostics.CodeAnalysis;
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
    /// <summary>Binds by reflection: for services that run on the JIT.</summary>
    [RequiresDynamicCode("Binds the options class by reflection; a natively compiled service passes a bind generated at build time.")]
    [RequiresUnreferencedCode("Binds the options class by reflection; a natively compiled service passes a bind generated at build time.")]
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IHostApplicationBuilder builder, string section)
        where T : class, IValidatedOptions, new() =>
        builder.AddValidatedOptions<T>(section, static (configuration, options) => configuration.Bind(options, StrictBinding));

    /// <summary>
    /// Binds with <paramref name="bind"/>: in a natively compiled service,
    /// <c>(section, options) =&gt; section.Bind(options, ValidatedOptions.StrictBinding)</c>, written
    /// where the options type is known so that the configuration binder generates it.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IHostApplicationBuilder builder, string section, Action<IConfiguration, T> bind)
        where T : class, IValidatedOptions, new()
    {
        var current = new T();
        Bind(builder.Configuration.GetSection(section), current, bind);
        var failures = current.Validate(section).ToList();
        if (failures.Count > 0)
        {
            throw new ConfigurationException(string.Join("; ", failures));
        }

        builder.Services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(section));
        return builder.Services.AddOptions<T>()
            .Configure<IConfiguration>((options, configuration) => Bind(configuration.GetSection(section), options, bind))
            .ValidateOnStart();
    }

    /// <summary>A key the options class does not have is an error (a typo), not ignored.</summary>
    public static void StrictBinding(BinderOptions binder) => binder.ErrorOnUnknownConfiguration = true;

    private static void Bind<T>(IConfigurationSection section, T options, Action<IConfiguration, T> bind)
    {
        try
        {
            bind(section, options);
        }
        catch (InvalidOperationException e)
        {
            // An unconvertible value ("Failed to convert configuration value at 'Worker:Concurrency'")
            // or a key the options class does not have (a typo). Inside a dictionary's entry the
            // binder wraps it in a message that names nothing; the innermost one names the key.
            var cause = e;
            while (cause.InnerException is InvalidOperationException inner)
            {
                cause = inner;
            }

            throw new ConfigurationException($"Configuration section '{section.Path}': {cause.Message}", e);
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
