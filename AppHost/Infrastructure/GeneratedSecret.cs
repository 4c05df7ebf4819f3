using System.Security.Cryptography;

namespace AspireJobs.AppHost.Infrastructure;

/// <summary>
/// A secret generated once and kept in a file only its owner can read (mode 0600), beside the
/// data it protects: a PostgreSQL cluster keeps the password it was created with, so the password
/// must live as long as the cluster's directory does, whatever else is wiped. Letters and digits
/// only (a Redis connection string cannot carry commas); 32 of them are 190 bits.
/// </summary>
public static class GeneratedSecret
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const int Length = 32;

    public static string ReadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var secret = RandomNumberGenerator.GetString(Alphabet, Length);
        PrivateFile.Write(path, secret);
        return secret;
    }
}
