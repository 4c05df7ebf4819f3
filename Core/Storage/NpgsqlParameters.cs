using Npgsql;
using NpgsqlTypes;

namespace AspireJobs.Core.Storage;

/// <summary>
/// Positional parameters for the statements in the .sql files. Positional ($1, $2, ...) rather
/// than named, so Npgsql sends the text as written without rewriting it.
/// </summary>
internal static class NpgsqlParameters
{
    public static NpgsqlParameter Value<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };

    public static NpgsqlParameter Nullable<T>(T? value) where T : struct =>
        new() { Value = value.HasValue ? value.Value : DBNull.Value };

    public static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    public static NpgsqlParameter Json(string? json) =>
        new() { NpgsqlDbType = NpgsqlDbType.Json, Value = (object?)json ?? DBNull.Value };

    public static NpgsqlParameter JsonArray(string?[] json) =>
        new() { NpgsqlDbType = NpgsqlDbType.Json | NpgsqlDbType.Array, Value = json };

    /// <summary>timestamptz wants UTC; a null means "the database's now()" in the statements that accept it.</summary>
    public static NpgsqlParameter Time(DateTimeOffset? time) =>
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = time.HasValue ? time.Value.ToUniversalTime() : DBNull.Value };

    public static NpgsqlParameter TextArray(string?[] values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text | NpgsqlDbType.Array, Value = values };

    public static NpgsqlParameter TimeArray(DateTimeOffset?[] times) =>
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz | NpgsqlDbType.Array, Value = times };

    public static NpgsqlParameter Interval(TimeSpan span) =>
        new() { NpgsqlDbType = NpgsqlDbType.Interval, Value = span };
}
