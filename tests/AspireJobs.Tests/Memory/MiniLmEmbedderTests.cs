using System.Numerics.Tensors;
using AspireJobs.Core.Memory;

namespace AspireJobs.Tests.Memory;

public sealed class MiniLmEmbedderTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EmbedAsync_GivesUnitVectorsOf384Dimensions_InOrder()
    {
        var vectors = await TestEmbedder.Shared.EmbedAsync(["disk full", "the disk is full", "disk full"], Token);

        Assert.Equal(3, vectors.Length);
        Assert.All(vectors, v => Assert.Equal(384, v.Length));
        Assert.All(vectors, v => Assert.InRange(TensorPrimitives.Norm(v), 0.999f, 1.001f));
        Assert.Equal(vectors[0], vectors[2]);
        Assert.Empty(await TestEmbedder.Shared.EmbedAsync([], Token));
    }

    [Fact]
    public async Task ATimeout_IsNearerAConnectionRefused_ThanANullReference()
    {
        var texts = new[]
        {
            ExecutionText.NormaliseError("TimeoutException: gateway did not answer"),
            ExecutionText.NormaliseError("SocketException: connection refused by 10.0.0.7:443"),
            ExecutionText.NormaliseError("NullReferenceException: Object reference not set to an instance of an object."),
        };

        var v = await TestEmbedder.Shared.EmbedAsync(texts, Token);
        var refused = TensorPrimitives.Dot(v[0], v[1]);
        var nullReference = TensorPrimitives.Dot(v[0], v[2]);

        Assert.True(refused > nullReference + 0.1f, $"timeout~refused {refused:0.000}, timeout~null reference {nullReference:0.000}");
    }

    [Fact]
    public async Task EmbedAsync_FromManyCallersAtOnce_GivesEachItsOwnVectors()
    {
        var texts = Enumerable.Range(0, 8).Select(i => $"error number {i}: something different {new string('x', i)}").ToList();
        var alone = await TestEmbedder.Shared.EmbedAsync(texts, Token);

        var together = await Task.WhenAll(texts.Select(text => TestEmbedder.Shared.EmbedAsync([text], Token)));

        for (var i = 0; i < texts.Count; i++)
        {
            Assert.True(TensorPrimitives.Dot(alone[i], together[i][0]) > 0.999f);
        }
    }
}

public sealed class MiniLmBackgroundEmbedderTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheBackgroundEmbedder_GivesTheSameVectors_FromAThreadOfLowerPriority()
    {
        using var background = new MiniLmEmbedder(background: true);

        var mine = await background.EmbedAsync(["disk full", "gateway timeout"], Token);
        var shared = await TestEmbedder.Shared.EmbedAsync(["disk full", "gateway timeout"], Token);

        Assert.All(mine.Zip(shared), pair => Assert.True(TensorPrimitives.Dot(pair.First, pair.Second) > 0.9999f));
        // The encoding thread, and any thread ONNX Runtime started from it (Linux threads inherit
        // their creator's name and nice value).
        var threads = Directory.GetDirectories("/proc/self/task")
            .Where(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == "MiniLM encoder").ToList();
        Assert.NotEmpty(threads);
        Assert.All(threads, thread =>
        {
            var fields = File.ReadAllText(Path.Combine(thread, "stat")).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(MiniLmEmbedder.BackgroundNice.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[16]); // field 19 of stat: nice
        });
    }
}

public sealed class MiniLmAttemptTextTests(ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AttemptsThatFailedTheSameWay_AreNearer_ThanAttemptsOfTheSameTypeThatFailedOtherwise()
    {
        string Text(string message) => ExecutionText.Build("fail", ExecutionOutcome.DeadLettered, $"InvalidOperationException: {message}", TimeSpan.FromMilliseconds(3));
        var v = await TestEmbedder.Shared.EmbedAsync(
        [
            Text("TimeoutException: payment gateway 10.2.0.1 did not answer within 30 s"),
            Text("TimeoutException: payment gateway 10.2.0.9 did not answer within 45 s (order 5512)"),
            Text("SocketException: connection refused by 10.2.0.9:443"),
            Text("NullReferenceException: Object reference not set to an instance of an object in InvoiceRenderer"),
            Text("KeyNotFoundException: customer 0192f3a4-5b6c-7d8e-9f01-23456789abcd has no billing address"),
        ], Token);

        var scores = v.Skip(1).Select(other => System.Numerics.Tensors.TensorPrimitives.Dot(v[0], other)).ToList();
        output.WriteLine(string.Join(", ", scores.Select(s => s.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture))));

        Assert.True(scores[0] > scores[1] && scores[1] > scores[2] && scores[1] > scores[3], string.Join(", ", scores));
    }
}
