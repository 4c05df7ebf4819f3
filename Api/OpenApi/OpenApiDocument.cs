using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace AspireJobs.Api.OpenApi;

/// <summary>
/// The OpenAPI description of every route, generated from the endpoints and their metadata, at
/// <see cref="Path"/>, and Scalar's reference UI for it at <c>/scalar</c>, its script served by
/// the Api itself.
/// </summary>
public static class OpenApiDocument
{
    public const string Path = "/openapi/v1.json";

    public static IHostApplicationBuilder AddOpenApiDocument(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "AspireJobs",
                    Version = "v1",
                    Description = "Jobs with priorities, retries, dead letters, dependencies and cancellation; workers and their health; "
                        + "snapshots, restores and point-in-time recovery, each a dry-run diff unless applied; "
                        + "execution memory: past attempts found by meaning, and a failing job's likely outcome. "
                        + "Errors are RFC 7807 problem details (application/problem+json).",
                };
                AddApiKeySchemes(document);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer<OpenApiExamples>();
            options.AddOperationTransformer<AccessDescriptions>();
            options.AddSchemaTransformer<StrictNumbers>();
        });
        return builder;
    }

    /// <summary>
    /// How API keys are sent, either way, and that every operation needs one (its scope is in its
    /// description, see <see cref="AccessDescriptions"/>).
    /// </summary>
    private static void AddApiKeySchemes(Microsoft.OpenApi.OpenApiDocument document)
    {
        const string Scopes = " Scopes: read (GET routes), write (also create, cancel, re-prioritise), admin (everything).";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Api-Key",
            Description = "An API key in the X-Api-Key header." + Scopes,
        };
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The same API key as a bearer token (Authorization: Bearer <key>)." + Scopes,
        };
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] },
        ];
    }

    public static WebApplication MapOpenApiDocument(this WebApplication app)
    {
        app.MapOpenApi();
        // Everything from the Api itself: its bundled script, no fonts or telemetry from elsewhere.
        app.MapScalarApiReference(options => options
            .WithTitle("AspireJobs API")
            .WithOpenApiRoutePattern(Path)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp());
        return app;
    }
}
