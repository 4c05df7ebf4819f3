using System.Text.Json;
using System.Text.Json.Serialization;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.Tests.Worker;

/// <summary>How handlers are registered, and where their payloads' and results' JSON comes from.</summary>
public sealed partial class JobHandlerRegistrationTests
{
    public sealed record Resize(string Url, int Width);

    public sealed record Resized(string Url);

    /// <summary>Resizes nothing: returns the payload's url.</summary>
    public sealed class ResizeHandler : IJobHandler<Resize, Resized>
    {
        public Task<Resized> HandleAsync(Resize payload, JobContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new Resized($"{payload.Url}@{payload.Width}"));
    }

    [JsonSerializable(typeof(Resize))]
    [JsonSerializable(typeof(Resized))]
    internal sealed partial class ResizeJson : JsonSerializerContext;

    private static readonly JobContext Context = new(Guid.NewGuid(), "images.resize", 1, 0, TimeSpan.FromSeconds(5), Guid.NewGuid());

    [Fact]
    public void EveryBuiltInType_HasItsJsonGeneratedAtBuildTime_WithoutReflection()
    {
        // Reflection-based JSON is never in the chain: a built-in type whose payload or result is not
        // listed in BuiltInJobJson fails here, as it would in the natively compiled worker.
        using var services = new ServiceCollection().AddBuiltInJobHandlers().BuildServiceProvider();

        var registry = services.GetRequiredService<JobHandlerRegistry>();

        Assert.Equal(["collect", "echo", "fail", "noop", "record", "sleep", "spin"], registry.Types.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobJsonOptions>>().Value.SerializerOptions.TypeInfoResolverChain,
            resolver => resolver is System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver);
    }

    [Fact]
    public void AHandlerWhosePayloadHasNoJsonContext_StopsTheWorkerAtStart_NamingTheTypeAndTheJobType()
    {
        using var services = new ServiceCollection().AddJobHandler<ResizeHandler, Resize, Resized>("images.resize").BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<JobHandlerRegistry>());

        Assert.Contains("Job type 'images.resize'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Resize has no JSON metadata", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHandlerWithItsJsonContext_ReadsTheContractsCamelCase_AndWritesItsResult()
    {
        using var services = new ServiceCollection()
            .AddJobHandler<ResizeHandler, Resize, Resized>("images.resize")
            .Configure<JobJsonOptions>(json => json.SerializerOptions.TypeInfoResolverChain.Add(ResizeJson.Default))
            .BuildServiceProvider();
        Assert.True(services.GetRequiredService<JobHandlerRegistry>().TryGet("images.resize", out var invoker));

        var result = await invoker.InvokeAsync(services, """{"URL":"a.png","width":"40"}""", Context, TestContext.Current.CancellationToken);

        Assert.Equal("""{"url":"a.png@40"}""", result);
    }

    [Fact]
    public async Task AHandlerRegisteredByReflection_FallsBackToReflectionForItsJson()
    {
        using var services = new ServiceCollection().AddJobHandler<ResizeHandler>("images.resize").BuildServiceProvider();
        Assert.True(services.GetRequiredService<JobHandlerRegistry>().TryGet("images.resize", out var invoker));

        var result = await invoker.InvokeAsync(services, """{"url":"b.png","width":8}""", Context, TestContext.Current.CancellationToken);

        Assert.Equal("b.png@8", JsonDocument.Parse(result!).RootElement.GetProperty("url").GetString());
    }

    [Fact]
    public void AnInvalidJobType_IsRefusedAtRegistration_EitherWay()
    {
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddJobHandler<ResizeHandler, Resize, Resized>("no spaces"));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddJobHandler<ResizeHandler>("no spaces"));
    }
}
