using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Workflows;

/// <summary>Which side of a job a job of its graph is on.</summary>
public enum JobRelation
{
    /// <summary>A job it waits for, directly or through others.</summary>
    Ancestor = 0,

    /// <summary>A job that waits for it, directly or through others.</summary>
    Descendant = 1,
}

/// <summary>One job of a graph, at the length of its shortest path from the job asked about.</summary>
public sealed record JobGraphNode(
    JobRelation Relation, int Depth, Guid Id, string Type, JobStatus Status, int Priority, int EffectivePriority, IReadOnlyList<Guid> DependsOn);

/// <summary>Where a page of a graph ends: ancestors come before descendants, nearer before farther, then by id.</summary>
public readonly record struct JobGraphCursor(JobRelation Relation, int Depth, Guid Id) : IComparable<JobGraphCursor>
{
    public static JobGraphCursor Start => new(JobRelation.Ancestor, 0, Guid.Empty);

    public int CompareTo(JobGraphCursor other) =>
        Relation != other.Relation ? Relation.CompareTo(other.Relation)
        : Depth != other.Depth ? Depth.CompareTo(other.Depth)
        : Id.CompareTo(other.Id);

    public static bool operator <(JobGraphCursor left, JobGraphCursor right) => left.CompareTo(right) < 0;

    public static bool operator >(JobGraphCursor left, JobGraphCursor right) => left.CompareTo(right) > 0;

    public static bool operator <=(JobGraphCursor left, JobGraphCursor right) => left.CompareTo(right) <= 0;

    public static bool operator >=(JobGraphCursor left, JobGraphCursor right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{(int)Relation}.{Depth}.{Id:N}";

    public static bool TryParse(string? text, out JobGraphCursor cursor)
    {
        cursor = Start;
        var parts = text?.Split('.');
        if (parts is not [var relation, var depth, var id]
            || !int.TryParse(relation, out var r) || r is < 0 or > 1
            || !int.TryParse(depth, out var d) || d < 0
            || !Guid.TryParseExact(id, "N", out var g))
        {
            return false;
        }

        cursor = new JobGraphCursor((JobRelation)r, d, g);
        return true;
    }
}

/// <summary>A job and one page of the jobs around it; <see cref="Next"/> is null on the last page.</summary>
public sealed record JobGraphPage(Job Job, IReadOnlyList<JobGraphNode> Nodes, JobGraphCursor? Next);

/// <summary>How a parent of a job ended, for the job's handler to read.</summary>
public sealed record ParentOutcome(Guid Id, string Type, JobStatus Status, string? ResultJson, string? Error);
