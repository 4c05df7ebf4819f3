namespace AspireJobs.AppHost.Infrastructure;

/// <summary>A file only its owner can read or write (mode 0600), written whole and atomically.</summary>
public static class PrivateFile
{
    /// <summary>Writes through a temporary file created 0600, so the content is never readable by others, even briefly.</summary>
    public static void Write(string path, string content)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
