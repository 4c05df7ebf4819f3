using AspireJobs.Core.Memory;

namespace AspireJobs.Tests.Memory;

/// <summary>One real MiniLM embedder for the whole test run: the model loads once per process.</summary>
public static class TestEmbedder
{
    public static MiniLmEmbedder Shared { get; } = new();
}
