using AspireJobs.Core.Memory;
using AspireJobs.Indexer;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AspireJobs.Tests.Indexer;

public sealed class EmbeddingModelHealthCheckTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheIndexer_IsReady_OnceLoadAsyncHasLoadedItsModel()
    {
        using var background = new MiniLmEmbedder(background: true);
        var check = new EmbeddingModelHealthCheck(background);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration(EmbeddingModelHealthCheck.Name, check, null, null) };

        Assert.False(background.IsLoaded);
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(context, Token)).Status);

        await background.LoadAsync(Token);

        Assert.True(background.IsLoaded);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context, Token)).Status);
        Assert.Equal(MiniLmEmbedder.Dimension, (await background.EmbedAsync(["disk full"], Token))[0].Length);
    }
}
