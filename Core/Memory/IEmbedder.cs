namespace AspireJobs.Core.Memory;

/// <summary>Turns texts into vectors whose dot product says how alike their meanings are.</summary>
public interface IEmbedder
{
    /// <summary>The length of every vector.</summary>
    int Dimensions { get; }

    /// <summary>Whether the model is loaded.</summary>
    bool IsLoaded { get; }

    /// <summary>Loads the model now instead of at the first call.</summary>
    Task LoadAsync(CancellationToken cancellationToken);

    /// <summary>One unit-length vector per text, in order.</summary>
    Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
