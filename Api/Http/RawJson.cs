using System.Text.Json;
using System.Text.Json.Serialization;

namespace AspireJobs.Api.Http;

/// <summary>
/// JSON text from PostgreSQL written into a response as it is, without parsing it again.
/// The text is trusted: it was valid JSON when PostgreSQL checked it when it was stored.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly record struct RawJson(string Text)
{
    private sealed class RawJsonConverter : JsonConverter<RawJson>
    {
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return new RawJson(document.RootElement.GetRawText());
        }

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Text, skipInputValidation: true);
    }
}
