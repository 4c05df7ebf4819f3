using AspireJobs.AppHost.Infrastructure;

namespace AspireJobs.AppHost.Services;

/// <summary>
/// The Api's keys, one per scope, as secret Aspire parameters injected as <c>Api:Keys</c>. Run
/// locally, each is generated once and kept in the data directory (mode 0600), where clients read
/// it: <c>api-key</c> (admin), <c>api-key-write</c>, <c>api-key-read</c>; the console names the
/// files, never the keys. Published, azd generates them. <c>api-keys.json</c> beside them is
/// watched by the Api: keys added or removed there take effect without a restart.
/// </summary>
public static class ApiKeys
{
    public const string AdminFileName = "api-key";
    public const string KeysFileName = "api-keys.json";

    private static readonly string[] Scopes = ["admin", "write", "read"];

    /// <summary>The parameter, and file in the data directory, of a scope's key: <c>api-key</c> for admin, <c>api-key-write</c>, <c>api-key-read</c>.</summary>
    public static string FileNameOf(string scope) => scope == "admin" ? AdminFileName : $"{AdminFileName}-{scope}";

    /// <summary>A scope's key as the AppHost generated it, read the way a client reads it.</summary>
    public static string Read(string dataDirectory, string scope = "admin") => File.ReadAllText(Path.Combine(dataDirectory, FileNameOf(scope)));

    public static IResourceBuilder<ProjectResource> WithGeneratedApiKeys(this IResourceBuilder<ProjectResource> api, string dataDirectory)
    {
        var builder = api.ApplicationBuilder;
        foreach (var scope in Scopes)
        {
            var parameterName = FileNameOf(scope);
            var key = builder.ExecutionContext.IsRunMode
                ? builder.AddParameter(parameterName, GeneratedSecret.ReadOrCreate(Path.Combine(dataDirectory, parameterName)), secret: true)
                : builder.AddParameter(parameterName, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
            api.WithEnvironment($"Api__Keys__{scope}__Key", key)
                .WithEnvironment($"Api__Keys__{scope}__Scope", scope);
        }

        if (builder.ExecutionContext.IsRunMode)
        {
            api.WithEnvironment("Api__KeysFile", Path.Combine(dataDirectory, KeysFileName));
        }

        return api;
    }
}
