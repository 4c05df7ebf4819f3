namespace AspireJobs.Core.Memory;

/// <summary>Turns texts into vectors whose dot product says how alike their meanings are.</summary>
public interface IEmbedder
{
    /// <summary>The length of every vector.</summary>
    int Dimensions { get; }

    /// <summary>One unit-length vector per text, in order.</summary>
    Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
