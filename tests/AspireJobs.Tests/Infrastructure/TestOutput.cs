using System.Collections.Concurrent;
using AspireJobs.AppHost.Hosting;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>Collects what the AppHost's resources print, to show it when a test fails.</summary>
public sealed class TestOutput : IProcessOutput
{
    private readonly ConcurrentQueue<string> _lines = new();

    public void Write(string resourceName, string line) => _lines.Enqueue($"{resourceName,-22} | {line}");

    /// <summary>The last lines printed, newest last.</summary>
    public string Tail(int count = 80) => string.Join(Environment.NewLine, _lines.TakeLast(count));
}
