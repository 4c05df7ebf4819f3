namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// An exclusive lock on <c>DIR/apphost.lock</c>, held from the AppHost's start until it is
/// disposed or the process ends (kill -9 included: the kernel drops it). Two AppHosts on one data
/// directory would run two PostgreSQL servers on one cluster and two Redis servers appending to one
/// file; the second is refused even when both start at the same moment, before either has written
/// <see cref="StatusFile"/>.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "apphost.lock";

    // What a lock another open file holds reads as (EWOULDBLOCK).
    private const int HeldElsewhere = 11;

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <exception cref="DataDirectoryInUseException">Another AppHost holds the directory.</exception>
    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        try
        {
            // FileShare.None takes an exclusive flock on Unix; the descriptor is not inherited by children.
            return new DataDirectoryLock(new FileStream(Path.Combine(dataDirectory, FileName), new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }));
        }
        catch (IOException e) when (e.HResult == HeldElsewhere)
        {
            var holder = StatusFile.RunningAppHost(dataDirectory) is { } processId ? $"Another AppHost (process {processId})" : "Another AppHost";
            throw new DataDirectoryInUseException(
                $"{holder} is running with the data directory {dataDirectory}; stop it first, or pass another --data-dir.");
        }
    }

    public void Dispose() => _file.Dispose();
}
