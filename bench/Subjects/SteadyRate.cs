using System.Diagnostics;

namespace AspireJobs.Bench.Subjects;

/// <summary>
/// Sends creates at a steady rate, each on its own task so a slow one does not delay the next,
/// with at most <see cref="MaxOutstanding"/> in flight. Each send is told when it was due, so a
/// latency can be taken from there: a system that cannot keep up holds back the sends, and only
/// a latency from the due time shows it. Failed sends are left out.
/// </summary>
public static class SteadyRate
{
    public const int MaxOutstanding = 64;

    public static Task<T[]> SendAsync<T>(int rate, TimeSpan duration, Func<Task<T>> send) => SendAsync(rate, duration, _ => send());

    /// <param name="send">Given the wall-clock time at which it was due.</param>
    public static async Task<T[]> SendAsync<T>(int rate, TimeSpan duration, Func<DateTimeOffset, Task<T>> send)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var sends = new Task<(bool Ok, T Value)>[total];
        using var outstanding = new SemaphoreSlim(MaxOutstanding);
        var origin = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed; // read the clock once: a second read could make it negative
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            await outstanding.WaitAsync();
            sends[i] = Task.Run(async () =>
            {
                try
                {
                    return (true, await send(origin + due));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Console.Error.WriteLine($"  a send failed: {e.GetBaseException().Message}");
                    return (false, default(T)!);
                }
                finally
                {
                    outstanding.Release();
                }
            });
        }

        return [.. (await Task.WhenAll(sends)).Where(s => s.Ok).Select(s => s.Value)];
    }

    public static (double P50, double P95, double P99) Percentiles(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return (Bench.Percentiles.Of(sorted, 50), Bench.Percentiles.Of(sorted, 95), Bench.Percentiles.Of(sorted, 99));
    }
}
