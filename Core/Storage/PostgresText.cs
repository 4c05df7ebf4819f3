namespace AspireJobs.Core.Storage;

/// <summary>
/// Text from code this system does not own (a handler's exception message), made storable in a
/// PostgreSQL <c>text</c> column: PostgreSQL refuses U+0000, and a lone UTF-16 surrogate has no
/// UTF-8 form, so either fails the whole statement it rides in, with every outcome grouped into it.
/// Each becomes U+FFFD, the replacement character; every other character is kept.
/// </summary>
public static class PostgresText
{
    private const char Replacement = '\uFFFD';

    /// <summary>At most <paramref name="maxLength"/> characters of <paramref name="text"/>, storable; a surrogate pair the cut would split is dropped whole.</summary>
    public static string Storable(string text, int maxLength)
    {
        if (text.Length > maxLength)
        {
            var splitsAPair = maxLength > 0 && char.IsHighSurrogate(text[maxLength - 1]) && char.IsLowSurrogate(text[maxLength]);
            text = text[..(splitsAPair ? maxLength - 1 : maxLength)];
        }

        char[]? cleaned = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++; // a pair: both kept
            }
            else if (c == '\0' || char.IsSurrogate(c))
            {
                cleaned ??= text.ToCharArray();
                cleaned[i] = Replacement;
            }
        }

        return cleaned is null ? text : new string(cleaned);
    }
}
