using System.Reflection;

namespace AspireJobs.Core.Storage;

/// <summary>Reads a file embedded in an assembly: the .sql and .lua files that sit beside their code.</summary>
public static class EmbeddedFile
{
    public static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} embeds no file named '{name}'.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A SQL or Lua file embedded in Core, by file name.</summary>
    internal static string Core(string name) => Read(typeof(EmbeddedFile).Assembly, name);
}
