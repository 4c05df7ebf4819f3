namespace AspireJobs.Core.Workflows;

/// <summary>An edge of the dependency graph: <see cref="JobId"/> waits for <see cref="DependsOnId"/>.</summary>
public readonly record struct JobDependency(Guid JobId, Guid DependsOnId);

/// <summary>
/// Where each job around a job lies in its graph: its ancestors, then its descendants, each at the
/// length of its shortest path, nearest first, then by id. Breadth first, so each job is placed
/// once however many paths lead to it.
/// </summary>
public static class JobGraphPositions
{
    /// <param name="root">The job asked about.</param>
    /// <param name="above">The edges from <paramref name="root"/> and from its ancestors to their parents.</param>
    /// <param name="below">The edges to <paramref name="root"/> and to its descendants from their dependents.</param>
    public static List<JobGraphCursor> Of(Guid root, IEnumerable<JobDependency> above, IEnumerable<JobDependency> below)
    {
        var positions = new List<JobGraphCursor>();
        Walk(root, above.ToLookup(edge => edge.JobId, edge => edge.DependsOnId), JobRelation.Ancestor, positions);
        Walk(root, below.ToLookup(edge => edge.DependsOnId, edge => edge.JobId), JobRelation.Descendant, positions);
        positions.Sort();
        return positions;
    }

    private static void Walk(Guid root, ILookup<Guid, Guid> next, JobRelation relation, List<JobGraphCursor> positions)
    {
        var placed = new HashSet<Guid> { root };
        var frontier = new List<Guid> { root };
        for (var depth = 1; frontier.Count > 0; depth++)
        {
            var reached = new List<Guid>();
            foreach (var id in frontier)
            {
                foreach (var neighbour in next[id])
                {
                    if (placed.Add(neighbour))
                    {
                        reached.Add(neighbour);
                        positions.Add(new JobGraphCursor(relation, depth, neighbour));
                    }
                }
            }

            frontier = reached;
        }
    }
}
