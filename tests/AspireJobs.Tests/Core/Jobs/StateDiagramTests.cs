using System.Text.RegularExpressions;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Storage;
using AspireJobs.LocalProcesses;

namespace AspireJobs.Tests.Core.Jobs;

/// <summary>The state machine's three places agree: the enum, the diagram in schema.md, and the statements its arrows name.</summary>
public sealed partial class StateDiagramTests
{
    private static readonly string[] Arrows = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "MigrationService", "Migrations", "schema.md"))
        .SkipWhile(line => line != "stateDiagram-v2").TakeWhile(line => line != "```").Where(line => line.Contains("-->", StringComparison.Ordinal))
        .ToArray();

    [GeneratedRegex(@"^\s*(?<from>\[\*\]|\w+) --> (?<to>\[\*\]|\w+)(: .*\((?<statement>\w+)\))?$")]
    private static partial Regex Arrow();

    [Fact]
    public void TheDiagram_DrawsEveryStateOfTheEnum_AndNoOther()
    {
        var states = Arrows.Select(line => Arrow().Match(line)).SelectMany(m => new[] { m.Groups["from"].Value, m.Groups["to"].Value })
            .Where(state => state != "[*]").ToHashSet();

        Assert.Equal(JobStatusText.All.Order(), states.Order());
    }

    [Fact]
    public void EveryArrowIntoAState_NamesAStatementThatExists_AndWritesThatState()
    {
        Assert.NotEmpty(Arrows);
        foreach (var line in Arrows)
        {
            var arrow = Arrow().Match(line);
            Assert.True(arrow.Success, $"Not an arrow of the form 'from --> to: why (Statement)': {line}");
            if (arrow.Groups["to"].Value == "[*]")
            {
                continue;
            }

            Assert.True(arrow.Groups["statement"].Success, $"The arrow names no statement: {line}");
            var sql = EmbeddedFile.Read(typeof(JobStore).Assembly, arrow.Groups["statement"].Value + ".sql");
            // The finishing statement takes the status it writes as a parameter, from JobFinish's constructors.
            Assert.True(
                sql.Contains($"'{arrow.Groups["to"].Value}'", StringComparison.Ordinal) || arrow.Groups["statement"].Value == "JobFinishIfRunning"
                    || arrow.Groups["statement"].Value == "JobInsertBatch",
                $"{arrow.Groups["statement"].Value}.sql never writes '{arrow.Groups["to"].Value}': {line}");
        }
    }
}
