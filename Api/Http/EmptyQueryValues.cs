using Microsoft.Extensions.Primitives;

namespace AspireJobs.Api.Http;

/// <summary>
/// A query parameter given with no value (<c>?status=&amp;limit=</c>, as clients that fill a
/// template send it) is read as one not given, on every route. Minimal APIs bind it as an empty
/// string, which no filter, limit or cursor accepts: without this, such a request got a 400.
/// </summary>
public static class EmptyQueryValues
{
    public static WebApplication UseEmptyQueryValuesAsAbsent(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var query = context.Request.Query;
            if (query.Count > 0 && query.Any(parameter => StringValues.IsNullOrEmpty(parameter.Value)))
            {
                context.Request.Query = new QueryCollection(query
                    .Where(parameter => !StringValues.IsNullOrEmpty(parameter.Value))
                    .ToDictionary(parameter => parameter.Key, parameter => parameter.Value, StringComparer.OrdinalIgnoreCase));
            }

            return next(context);
        });
        return app;
    }
}
