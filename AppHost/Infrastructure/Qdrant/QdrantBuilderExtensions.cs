namespace AspireJobs.AppHost.Infrastructure.Qdrant;

public static class QdrantBuilderExtensions
{
    /// <summary>The image's tag: the server release that Qdrant.Client 1.20.0 is versioned with.</summary>
    public const string ImageTag = "v1.20.0";

    /// <summary>
    /// What <c>AddQdrant(name)</c> of Aspire.Hosting.Qdrant adds: the <c>qdrant/qdrant</c> container
    /// with its two endpoints, a generated API key (parameter <c>&lt;name&gt;-Key</c>, a secret)
    /// passed as <c>QDRANT__SERVICE__API_KEY</c>, its storage on a volume, and a health check on
    /// <c>/readyz</c>. Only where containers run, and in the published manifest.
    /// </summary>
    public static IResourceBuilder<QdrantServerResource> AddQdrantContainer(this IDistributedApplicationBuilder builder, string name)
    {
        var apiKey = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-Key", special: false);
        var qdrant = new QdrantServerResource(name, apiKey);
        return builder.AddResource(qdrant)
            .WithImage("qdrant/qdrant", ImageTag)
            .WithImageRegistry("docker.io")
            .WithHttpEndpoint(targetPort: 6334, name: QdrantServerResource.GrpcEndpointName)
            .WithEndpoint(QdrantServerResource.GrpcEndpointName, endpoint => endpoint.Transport = "http2")
            .WithHttpEndpoint(targetPort: 6333, name: QdrantServerResource.HttpEndpointName)
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["QDRANT__SERVICE__API_KEY"] = qdrant.ApiKeyParameter;
                context.EnvironmentVariables["QDRANT__SERVICE__ENABLE_STATIC_CONTENT"] = "0";
            })
            .WithVolume($"{name}-data", "/qdrant/storage")
            .WithHttpHealthCheck("/readyz", endpointName: QdrantServerResource.HttpEndpointName);
    }

    /// <summary>A reference to Qdrant (ConnectionStrings__qdrant), waited for, when there is one.</summary>
    public static IResourceBuilder<ProjectResource> WithQdrant(this IResourceBuilder<ProjectResource> project, IResourceBuilder<QdrantServerResource>? qdrant) =>
        qdrant is null ? project : project.WithReference(qdrant).WaitFor(qdrant);
}
