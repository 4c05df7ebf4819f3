namespace AspireJobs.Api.Http;

/// <summary>The OpenAPI description of every route, generated from the endpoints themselves, at <see cref="Path"/>.</summary>
public static class OpenApiDocument
{
    public const string Path = "/openapi/v1.json";

    public static IHostApplicationBuilder AddOpenApiDocument(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        return builder;
    }

    public static WebApplication MapOpenApiDocument(this WebApplication app)
    {
        app.MapOpenApi();
        return app;
    }
}
