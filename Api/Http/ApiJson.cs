using System.Text.Json;
using System.Text.Json.Serialization;

namespace AspireJobs.Api.Http;

/// <summary>
/// JSON as the contract writes it: camelCase names, enum values in snake_case
/// (<c>dead_lettered</c>), times as ISO-8601 UTC.
/// </summary>
public static class ApiJson
{
    public static IHostApplicationBuilder AddApiJson(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(json => Configure(json.SerializerOptions));
        return builder;
    }

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return options;
    }
}
