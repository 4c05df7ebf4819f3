using System.Security.Cryptography;

namespace AspireJobs.AppHost.Processes;

/// <summary>
/// A generated secret kept in a file only its owner can read (mode 0600), so a restart reuses
/// it. Letters and digits only: the Redis connection string format cannot carry commas.
/// </summary>
public static class SecretFile
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string ReadOrCreate(string path, int length = 32)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var secret = RandomNumberGenerator.GetString(Alphabet, length);
        WritePrivate(path, secret);
        return secret;
    }

    /// <summary>Writes a file that is created with mode 0600, never readable by others even briefly.</summary>
    public static void WritePrivate(string path, string content)
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
