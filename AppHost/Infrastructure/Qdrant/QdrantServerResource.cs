namespace AspireJobs.AppHost.Infrastructure.Qdrant;

/// <summary>
/// A Qdrant server in a container, as Aspire.Hosting.Qdrant models it (that package is not served
/// here): a gRPC endpoint (6334) that clients use, an HTTP one (6333) for its REST API and
/// health, and an API key. Its connection string is what Aspire.Qdrant.Client reads:
/// <c>Endpoint=http://host:port;Key=...</c>, with the gRPC endpoint.
/// </summary>
public sealed class QdrantServerResource(string name, ParameterResource apiKey) : ContainerResource(name), IResourceWithConnectionString
{
    public const string GrpcEndpointName = "grpc";
    public const string HttpEndpointName = "http";

    public ParameterResource ApiKeyParameter { get; } = apiKey;

    public EndpointReference GrpcEndpoint => new(this, GrpcEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Endpoint={GrpcEndpoint.Property(EndpointProperty.Url)};Key={ApiKeyParameter}");
}
