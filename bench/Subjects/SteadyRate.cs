using System.Diagnostics;

namespace AspireJobs.Bench.Subjects;

/// <summary>
/// Sends creates at a steady rate, each on its own task so a slow one does not delay the next,
/// with at most <see cref="MaxOutstanding"/> in flight. Each send is told when it was due, so a
/// latency can be taken from there: a system that cannot keep up holds back the sends, and only
/// a latency from the due time shows it. A send that fails fails the figure, as a rejected add
/// fails BullMQ's harness: left out, the slowest sends (those that timed out) would leave a
/// percentile that reads better than the system was.
/// </summary>
public static class SteadyRate
{
    public const int MaxOutstanding = 64;

    public static Task<T[]> SendAsync<T>(int rate, TimeSpan duration, Func<Task<T>> send) => SendAsync(rate, duration, _ => send());

    /// <param name="send">Given the wall-clock time at which it was due.</param>
    public static async Task<T[]> SendAsync<T>(int rate, TimeSpan duration, Func<DateTimeOffset, Task<T>> send)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var sends = new Task<T>[total];
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
                    return await send(origin + due);
                }
                finally
                {
                    outstanding.Release();
                }
            });
        }

        try
        {
            return await Task.WhenAll(sends);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var failed = sends.Count(send => !send.IsCompletedSuccessfully);
            throw new InvalidOperationException($"{failed} of {total} sends failed, the first: {e.GetBaseException().Message}", e);
        }
    }

    public static (double P50, double P95, double P99) Percentiles(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return (Bench.Percentiles.Of(sorted, 50), Bench.Percentiles.Of(sorted, 95), Bench.Percentiles.Of(sorted, 99));
    }
}
