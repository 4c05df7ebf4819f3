using System.Globalization;

namespace AspireJobs.Api.Http;

/// <summary>
/// The <c>limit</c> and <c>cursor</c> of a keyset-paginated list, read from the query string
/// with a message per wrong value. The cursor is the <c>nextCursor</c> of the previous page.
/// </summary>
public sealed record PageQuery(int Limit, Guid? Cursor)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;

    public static PageQuery Read(string? limit, string? cursor, IDictionary<string, string[]> errors)
    {
        var pageLimit = ReadLimit(limit, errors);

        Guid? pageCursor = null;
        if (cursor is not null)
        {
            if (Guid.TryParse(cursor, out var parsed))
            {
                pageCursor = parsed;
            }
            else
            {
                errors["cursor"] = ["The cursor must be the nextCursor of a previous page."];
            }
        }

        return new PageQuery(pageLimit, pageCursor);
    }

    /// <summary>The page size asked for (1 to <see cref="MaxLimit"/>), or <see cref="DefaultLimit"/>.</summary>
    public static int ReadLimit(string? limit, IDictionary<string, string[]> errors)
    {
        if (limit is null)
        {
            return DefaultLimit;
        }

        if (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var pageLimit) && pageLimit is >= 1 and <= MaxLimit)
        {
            return pageLimit;
        }

        errors["limit"] = [$"The limit must be a whole number from 1 to {MaxLimit}."];
        return DefaultLimit;
    }
}

/// <summary>A page of a list: its items and the cursor of the next page (null on the last).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, Guid? NextCursor);
