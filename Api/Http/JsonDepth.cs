using System.Text.Json;

namespace AspireJobs.Api.Http;

/// <summary>How deeply a JSON value nests objects and arrays: 0 for a scalar, 1 for <c>{}</c> or <c>[1]</c>.</summary>
public static class JsonDepth
{
    public static int Of(JsonElement element)
    {
        var deepest = 0;
        var pending = new Stack<(JsonElement Element, int Depth)>();
        pending.Push((element, 0));
        while (pending.TryPop(out var next))
        {
            var (value, depth) = next;
            if (value.ValueKind is JsonValueKind.Object)
            {
                deepest = Math.Max(deepest, depth + 1);
                foreach (var property in value.EnumerateObject())
                {
                    pending.Push((property.Value, depth + 1));
                }
            }
            else if (value.ValueKind is JsonValueKind.Array)
            {
                deepest = Math.Max(deepest, depth + 1);
                foreach (var item in value.EnumerateArray())
                {
                    pending.Push((item, depth + 1));
                }
            }
        }

        return deepest;
    }
}
