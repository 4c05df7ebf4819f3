namespace AspireJobs.Core.Workflows;

/// <summary>
/// The dependency edges among the jobs of one batch, by their place in the batch: whether they
/// close a cycle, an order with every parent before its dependents, and the priorities inherited
/// down the edges. Edges to jobs that already exist cannot close a cycle (an existing job never
/// depends on a new one), so a batch's own edges are the only place a cycle can hide.
/// </summary>
public static class BatchGraph
{
    /// <summary>
    /// A cycle among the edges, as the places of its jobs in order (each depends on the next, the
    /// last on the first); null when there is none. Iterative, so a chain of any length is fine.
    /// </summary>
    /// <param name="parents">For each job, the places of the jobs of the batch it depends on.</param>
    public static IReadOnlyList<int>? FindCycle(IReadOnlyList<IReadOnlyList<int>> parents)
    {
        var state = new byte[parents.Count]; // 0 unseen, 1 on the current path, 2 done
        var path = new List<int>();
        var next = new List<int>(); // for each job on the path, which of its parents to visit next
        for (var root = 0; root < parents.Count; root++)
        {
            if (state[root] != 0)
            {
                continue;
            }

            path.Add(root);
            next.Add(0);
            state[root] = 1;
            while (path.Count > 0)
            {
                var top = path.Count - 1;
                var node = path[top];
                if (next[top] == parents[node].Count)
                {
                    state[node] = 2;
                    path.RemoveAt(top);
                    next.RemoveAt(top);
                    continue;
                }

                var parent = parents[node][next[top]++];
                if (state[parent] == 1)
                {
                    return path[path.IndexOf(parent)..];
                }

                if (state[parent] == 0)
                {
                    state[parent] = 1;
                    path.Add(parent);
                    next.Add(0);
                }
            }
        }

        return null;
    }

    /// <summary>The places of the jobs with every parent before its dependents. The edges must have no cycle.</summary>
    public static int[] Order(IReadOnlyList<IReadOnlyList<int>> parents)
    {
        var count = parents.Count;
        var waitingFor = new int[count];
        var children = new List<int>[count];
        for (var i = 0; i < count; i++)
        {
            children[i] = [];
        }

        for (var i = 0; i < count; i++)
        {
            foreach (var parent in parents[i])
            {
                waitingFor[i]++;
                children[parent].Add(i);
            }
        }

        var order = new int[count];
        var written = 0;
        for (var i = 0; i < count; i++)
        {
            if (waitingFor[i] == 0)
            {
                order[written++] = i;
            }
        }

        for (var read = 0; read < written; read++)
        {
            foreach (var child in children[order[read]])
            {
                if (--waitingFor[child] == 0)
                {
                    order[written++] = child;
                }
            }
        }

        return written == count ? order : throw new ArgumentException("The edges have a cycle.", nameof(parents));
    }

    /// <summary>
    /// Priority inheritance down the edges: a job that gave no priority of its own takes the
    /// highest priority among its parents (the batch's, after their own inheritance, and the
    /// existing ones'), or <paramref name="defaultPriority"/> when it has none.
    /// </summary>
    /// <param name="own">Each job's own priority; null where the request gave none.</param>
    /// <param name="parents">For each job, the places of the jobs of the batch it depends on.</param>
    /// <param name="existingParentsMax">For each job, the highest priority among the existing jobs it depends on; null for none.</param>
    public static int[] InheritPriorities(
        IReadOnlyList<int?> own, IReadOnlyList<IReadOnlyList<int>> parents, IReadOnlyList<int?> existingParentsMax, int defaultPriority)
    {
        var priorities = new int[own.Count];
        foreach (var job in Order(parents))
        {
            if (own[job] is { } given)
            {
                priorities[job] = given;
                continue;
            }

            int? inherited = existingParentsMax[job];
            foreach (var parent in parents[job])
            {
                inherited = Math.Max(inherited ?? 0, priorities[parent]);
            }

            priorities[job] = inherited ?? defaultPriority;
        }

        return priorities;
    }
}
