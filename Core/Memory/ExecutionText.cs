using System.Text;
using System.Text.RegularExpressions;

namespace AspireJobs.Core.Memory;

/// <summary>
/// The text embedded for one finished attempt: what went wrong (the error's class and its message
/// with the parts that differ between occurrences of the same fault — ids, numbers, hex, addresses
/// — replaced by placeholders), the job type, the outcome and a duration bucket. Two attempts that
/// failed the same way give the same text, so the indexer's cache embeds it once, and a search
/// compares faults, not the ids in them.
/// </summary>
public static partial class ExecutionText
{
    /// <summary>At most this much of an error is kept: the model reads 256 word pieces at most anyway.</summary>
    public const int MaxErrorLength = 1000;

    /// <summary>The text of an attempt.</summary>
    public static string Build(string jobType, ExecutionOutcome outcome, string? error, TimeSpan? duration)
    {
        var text = new StringBuilder();
        var normalised = NormaliseError(error);
        if (normalised.Length > 0)
        {
            text.Append(normalised).Append(" | ");
        }

        text.Append("job type ").Append(jobType)
            .Append(" | ").Append(ExecutionOutcomeText.Of(outcome));
        if (duration is { } ran)
        {
            text.Append(" | took ").Append(DurationBucket(ran));
        }

        return text.ToString();
    }

    /// <summary>
    /// An error as memory compares it: "Class: message" with the message normalised, or the
    /// normalised message alone when it names no exception class (a timeout's text).
    /// </summary>
    public static string NormaliseError(string? error)
    {
        if (string.IsNullOrWhiteSpace(error))
        {
            return "";
        }

        var trimmed = error.Trim();
        if (trimmed.Length > MaxErrorLength)
        {
            trimmed = trimmed[..MaxErrorLength];
        }

        return ErrorClass(trimmed) is { } errorClass
            ? $"{errorClass}: {Normalise(trimmed[(trimmed.IndexOf(':', StringComparison.Ordinal) + 1)..])}"
            : Normalise(trimmed);
    }

    /// <summary>
    /// The exception class an error starts with, as the Worker writes it ("TimeoutException: ...",
    /// or a full name "System.TimeoutException: ..."), without its namespace; null when there is none.
    /// </summary>
    public static string? ErrorClass(string? error)
    {
        if (error is null)
        {
            return null;
        }

        var match = ClassPrefix().Match(error);
        if (!match.Success)
        {
            return null;
        }

        var name = match.Groups["class"].Value;
        return name[(name.LastIndexOf('.') + 1)..];
    }

    /// <summary>Replaces what differs between occurrences of one fault with placeholders, and collapses white space.</summary>
    public static string Normalise(string text)
    {
        var result = Guids().Replace(text, "<id>");
        result = IpAddresses().Replace(result, "<ip>");
        result = HexLiterals().Replace(result, "<hex>");
        result = HexRuns().Replace(result, "<hex>");
        result = Numbers().Replace(result, "<n>");
        result = Spaces().Replace(result, " ");
        return result.Trim();
    }

    /// <summary>A duration as one of six buckets: the model compares words, not magnitudes.</summary>
    public static string DurationBucket(TimeSpan duration) => duration.TotalMilliseconds switch
    {
        < 10 => "<10ms",
        < 100 => "<100ms",
        < 1_000 => "<1s",
        < 10_000 => "<10s",
        < 60_000 => "<1min",
        _ => ">=1min",
    };

    // "TimeoutException: ...", "System.Net.Sockets.SocketException: ...", "NpgsqlError: ..."
    [GeneratedRegex(@"^\s*(?<class>(?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_][A-Za-z0-9_]*(?:Exception|Error|Fault))\s*:", RegexOptions.CultureInvariant)]
    private static partial Regex ClassPrefix();

    [GeneratedRegex(@"\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b", RegexOptions.CultureInvariant)]
    private static partial Regex Guids();

    // IPv4 with an optional port, and IPv6 written with at least two colons between hex groups.
    [GeneratedRegex(@"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b|(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{1,4}(?![\w:])", RegexOptions.CultureInvariant)]
    private static partial Regex IpAddresses();

    [GeneratedRegex(@"\b0[xX][0-9a-fA-F]+\b", RegexOptions.CultureInvariant)]
    private static partial Regex HexLiterals();

    // Hashes, tokens, trace ids: eight or more hex digits with at least one digit and one letter.
    [GeneratedRegex(@"\b(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b", RegexOptions.CultureInvariant)]
    private static partial Regex HexRuns();

    [GeneratedRegex(@"(?<![A-Za-z_])[-+]?\d+(?:[.,]\d+)*(?![A-Za-z_])", RegexOptions.CultureInvariant)]
    private static partial Regex Numbers();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();
}
