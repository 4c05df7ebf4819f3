using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AspireJobs.Bench;

/// <summary>A benchmark's figures as a two-column Markdown table, and kept under bench/results as JSON lines beside it.</summary>
public static class FigureTable
{
    public static string Markdown(IEnumerable<(string Figure, string Value)> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | value |");
        text.AppendLine("| --- | ---: |");
        foreach (var (figure, value) in rows)
        {
            text.AppendLine($"| {figure} | {value} |");
        }

        return text.ToString();
    }

    /// <summary>Writes bench/results/<paramref name="name"/>-STAMP.jsonl (one line a figure, with <paramref name="context"/>) and .md (the table).</summary>
    public static Task KeepAsync(string name, IEnumerable<Measurement> figures, DateTime started, string machine, string table, IReadOnlyDictionary<string, object>? context = null) =>
        KeepAsync(name, figures.Select(figure => Line(figure, started, machine, context)), started, table);

    /// <summary>Writes bench/results/<paramref name="name"/>-STAMP.jsonl (the lines given, made with <see cref="Line"/>) and .md (the table).</summary>
    public static async Task KeepAsync(string name, IEnumerable<Dictionary<string, object>> lines, DateTime started, string table)
    {
        var directory = Path.Combine(AspireJobs.LocalProcesses.RepositoryRoot.Path, "bench", "results");
        Directory.CreateDirectory(directory);
        var stamp = started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        await File.WriteAllLinesAsync(Path.Combine(directory, $"{name}-{stamp}.jsonl"), lines.Select(line => JsonSerializer.Serialize(line)));
        await File.WriteAllTextAsync(Path.Combine(directory, $"{name}-{stamp}.md"), table);
        Console.WriteLine($"Figures kept in bench/results/{name}-{stamp}.jsonl");
    }

    /// <summary>One figure's line: when and where it was taken, its <paramref name="context"/>, then the figure.</summary>
    public static Dictionary<string, object> Line(Measurement figure, DateTime started, string machine, IReadOnlyDictionary<string, object>? context = null)
    {
        var line = new Dictionary<string, object> { ["at"] = started, ["machine"] = machine };
        foreach (var (key, value) in context ?? new Dictionary<string, object>())
        {
            line[key] = value;
        }

        line["figure"] = figure.Name;
        line["value"] = figure.Value;
        line["unit"] = figure.Unit;
        return line;
    }
}
