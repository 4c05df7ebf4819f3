namespace AspireJobs.Core.Jobs;

/// <summary>The bounds and defaults of a job request, as the HTTP contract states them.</summary>
public static class JobLimits
{
    public const int TypeMaxLength = 200;

    public const int MinPriority = 1;
    public const int MaxPriority = 5;
    public const int DefaultPriority = 3;

    public const int MinRetries = 0;
    public const int MaxRetries = 25;
    public const int DefaultMaxRetries = 5;

    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(1);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    public const int IdempotencyKeyMaxLength = 200;

    /// <summary>A job type is 1-200 characters of <c>[A-Za-z0-9._:-]</c>.</summary>
    public static bool IsValidType(string? type)
    {
        if (string.IsNullOrEmpty(type) || type.Length > TypeMaxLength)
        {
            return false;
        }

        foreach (var c in type)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
