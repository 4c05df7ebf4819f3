using AspireJobs.ServiceDefaults;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.FileProviders;

namespace AspireJobs.Api.Access;

/// <summary>
/// Who may call the Api: every route but <c>/health</c> and <c>/alive</c> needs an API key (the
/// dashboard's pages take its login cookie instead, which carries a key's scope), at the rate its
/// scope allows.
/// A request that carries a key is judged by the key alone; one without, by its cookie, except
/// on the HTTP API's routes (<c>/api/...</c>), which need a key.
/// </summary>
public static class AccessSetup
{
    private const string KeyOrCookie = "KeyOrCookie";

    public static WebApplicationBuilder AddAccess(this WebApplicationBuilder builder)
    {
        // Keys may also live in a file that is edited while the Api runs (rotation without a restart).
        if (builder.Configuration[$"{ApiOptions.Section}:{nameof(ApiOptions.KeysFile)}"] is { Length: > 0 } keysFile)
        {
            builder.Configuration.AddKeysFile(keysFile);
        }

        builder.Services.AddSingleton<ApiKeyRing>();
        builder.Services.AddAuthentication(KeyOrCookie)
            .AddPolicyScheme(KeyOrCookie, null, options => options.ForwardDefaultSelector = context =>
                ApiKeyAuthenticationHandler.CarriesKey(context.Request) || !DashboardLogin.CanUseCookie(context.Request)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : DashboardLogin.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(DashboardLogin.Scheme, DashboardLogin.ConfigureCookie);
        builder.Services.AddAuthorization(options => options.AddScopePolicies());
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, DashboardKeyRevalidation>();
        builder.AddRequestRateLimits();
        return builder;
    }

    /// <summary>
    /// The keys file, polled for changes (a look at its time stamp every 4 seconds) rather than
    /// watched: a watch of a file is a recursive watch of its whole directory, and the AppHost's
    /// data directory also holds PostgreSQL's and Redis's files. Watched, every write of theirs
    /// woke the Api: a tenth of its CPU under load, and the kernel's notification work on every
    /// write of the databases.
    /// </summary>
    internal static void AddKeysFile(this IConfigurationBuilder configuration, string keysFile)
    {
        var path = Path.GetFullPath(keysFile);
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            throw new ConfigurationException($"{ApiOptions.Section}:{nameof(ApiOptions.KeysFile)}: the directory {directory} does not exist.");
        }

        var files = new PhysicalFileProvider(directory) { UsePollingFileWatcher = true, UseActivePolling = true };
        configuration.AddJsonFile(files, Path.GetFileName(path), optional: true, reloadOnChange: true);
    }

    public static WebApplication UseAccess(this WebApplication app)
    {
        // Read the keys now: a bad Api:Keys section stops the Api at start, naming the key.
        _ = app.Services.GetRequiredService<ApiKeyRing>();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }
}
