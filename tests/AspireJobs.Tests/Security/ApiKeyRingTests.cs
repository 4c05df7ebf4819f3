using AspireJobs.Api.Access;
using AspireJobs.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspireJobs.Tests.Security;

/// <summary>How <c>Api:Keys</c> is read: keys or their hashes, a scope each, and a message naming the key for each mistake.</summary>
public sealed class ApiKeyRingTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void AKey_AndAHash_AreFoundByTheKey_WithTheirScopes()
    {
        var ring = new ApiKeyRing(Configuration(
            ("Api:Keys:ci:Key", "ci-key-0123456789"), ("Api:Keys:ci:Scope", "write"),
            ("Api:Keys:ops:Hash", ApiKey.HexHashOf("ops-key-0123456789")), ("Api:Keys:ops:Scope", "Admin")), NullLogger<ApiKeyRing>.Instance);

        Assert.Equal(("ci", ApiScope.Write), ring.Find("ci-key-0123456789") is { } ci ? (ci.Name, ci.Scope) : default);
        Assert.Equal(("ops", ApiScope.Admin), ring.Find("ops-key-0123456789") is { } ops ? (ops.Name, ops.Scope) : default);
        Assert.Null(ring.Find("ci-key-012345678"));
        Assert.Null(ring.Find(""));
    }

    [Fact]
    public void TheKeysFile_IsPolled_NotWatchedWithEverythingBesideIt()
    {
        var directory = Directory.CreateTempSubdirectory("aspirejobs-keys-");
        try
        {
            var configuration = new ConfigurationBuilder();
            configuration.AddKeysFile(Path.Combine(directory.FullName, "api-keys.json"));

            var source = Assert.IsType<JsonConfigurationSource>(Assert.Single(configuration.Sources));
            Assert.True(source.ReloadOnChange);
            var files = Assert.IsType<PhysicalFileProvider>(source.FileProvider);
            Assert.True(files.UsePollingFileWatcher && files.UseActivePolling);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void AKeysFileInADirectoryThatDoesNotExist_IsNamedByItsKey()
    {
        var error = Assert.Throws<ConfigurationException>(() => new ConfigurationBuilder().AddKeysFile("/no/such/directory/api-keys.json"));

        Assert.Contains("Api:KeysFile", error.Message, StringComparison.Ordinal);
        Assert.Contains("/no/such/directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EachMistake_IsNamedByItsKey()
    {
        var configuration = Configuration(
            ("Api:Keys:a:Key", "short"), ("Api:Keys:a:Scope", "read"),
            ("Api:Keys:b:Key", "long-enough-key-0123"), ("Api:Keys:b:Scope", "root"),
            ("Api:Keys:c:Key", "long-enough-key-0123"), ("Api:Keys:c:Hash", new string('0', 64)), ("Api:Keys:c:Scope", "read"),
            ("Api:Keys:d:Hash", "abc"), ("Api:Keys:d:Scope", "read"),
            ("Api:Keys:e:Key", "long-enough-key-0123"), ("Api:Keys:e:Scope", "read"), ("Api:Keys:e:Scopes", "read"));

        var errors = ApiKeyRing.Parse(configuration.GetSection(ApiKeyRing.Section)).Errors;

        Assert.Equal(
        [
            "Api:Keys:a:Key must be at least 16 characters, without spaces.",
            "Api:Keys:b:Scope must be read, write or admin (was 'root').",
            "Api:Keys:c: set exactly one of Key and Hash.",
            "Api:Keys:d:Hash must be the key's SHA-256 as 64 hex digits.",
            "Api:Keys:e: unknown setting Scopes (a key has Key or Hash, and Scope).",
        ], errors);
        var stop = Assert.Throws<ConfigurationException>(() => new ApiKeyRing(configuration, NullLogger<ApiKeyRing>.Instance));
        Assert.Contains("Api:Keys:b:Scope", stop.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoKeyAtAll_StopsTheApi_SayingHowToConfigureOne()
    {
        var stop = Assert.Throws<ConfigurationException>(() => new ApiKeyRing(Configuration(), NullLogger<ApiKeyRing>.Instance));
        Assert.StartsWith("Api:Keys: no API key is configured", stop.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReloadThatLeavesNoKey_IsRefused_AndTheKeysInUseStay_WhileAReplacementIsTakenUp()
    {
        var directory = Directory.CreateTempSubdirectory("aspirejobs-keys-");
        try
        {
            var file = Path.Combine(directory.FullName, "api-keys.json");
            File.WriteAllText(file, """{ "Api": { "Keys": { "ci": { "Key": "ci-key-0123456789", "Scope": "write" } } } }""");
            var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: true, reloadOnChange: false).Build();
            var ring = new ApiKeyRing(configuration, NullLogger<ApiKeyRing>.Instance);

            // A rotation that removes the file, then writes the new one.
            File.Delete(file);
            configuration.Reload();
            Assert.NotNull(ring.Find("ci-key-0123456789"));

            File.WriteAllText(file, """{ "Api": { "Keys": { "ci2": { "Key": "ci2-key-0123456789", "Scope": "write" } } } }""");
            configuration.Reload();
            Assert.Null(ring.Find("ci-key-0123456789"));
            Assert.NotNull(ring.Find("ci2-key-0123456789"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void AScope_CoversTheScopesBelowIt()
    {
        Assert.True(ApiScope.Admin.Covers(ApiScope.Write));
        Assert.True(ApiScope.Write.Covers(ApiScope.Read));
        Assert.False(ApiScope.Read.Covers(ApiScope.Write));
        Assert.False(ApiScope.Write.Covers(ApiScope.Admin));
    }
}
