using AspireJobs.Core.Workflows;

namespace AspireJobs.Tests.Core.Workflows;

/// <summary>The graph logic of a batch, without I/O: cycles, order, priority inheritance down.</summary>
public sealed class BatchGraphTests
{
    private static int[][] Edges(params int[][] parents) => parents;

    [Fact]
    public void FindCycle_IsNull_ForADiamond()
    {
        // 0 ← 1, 0 ← 2, {1, 2} ← 3
        Assert.Null(BatchGraph.FindCycle(Edges([], [0], [0], [1, 2])));
    }

    [Fact]
    public void FindCycle_NamesEveryJobOfTheCycle_InOrder()
    {
        // 0 depends on 1, 1 on 2, 2 on 0; 3 hangs off the cycle.
        var cycle = BatchGraph.FindCycle(Edges([1], [2], [0], [0]));

        Assert.NotNull(cycle);
        Assert.Equal(3, cycle.Count);
        Assert.Equal([0, 1, 2], cycle.Order());
        for (var i = 0; i < cycle.Count; i++)
        {
            // Each depends on the next, the last on the first.
            Assert.Contains(cycle[(i + 1) % cycle.Count], new[] { new[] { 1 }, [2], [0], [0] }[cycle[i]]);
        }
    }

    [Fact]
    public void FindCycle_FindsAJobThatDependsOnItself() =>
        Assert.Equal([1], BatchGraph.FindCycle(Edges([], [1])));

    [Fact]
    public void FindCycle_WalksAChainOfAHundredThousand_WithoutRecursion()
    {
        var chain = Enumerable.Range(0, 100_000).Select(i => (IReadOnlyList<int>)(i == 0 ? [] : [i - 1])).ToList();
        Assert.Null(BatchGraph.FindCycle(chain));
        chain[0] = [99_999];
        Assert.Equal(100_000, BatchGraph.FindCycle(chain)!.Count);
    }

    [Fact]
    public void Order_PutsEveryParentBeforeItsDependents()
    {
        var edges = Edges([3], [], [0, 1], [1]);

        var order = BatchGraph.Order(edges);

        var place = order.Select((job, index) => (job, index)).ToDictionary(p => p.job, p => p.index);
        for (var job = 0; job < edges.Length; job++)
        {
            Assert.All(edges[job], parent => Assert.True(place[parent] < place[job]));
        }
    }

    [Fact]
    public void InheritPriorities_TakesTheHighestParent_ThroughTheBatch_AndKeepsOwnPriorities()
    {
        // 0 (2) and 1 (5) ← 2 (none) ← 3 (none); 4 (1, own) ← 2; 5 (none) depends on an existing job of priority 4.
        var priorities = BatchGraph.InheritPriorities(
            [2, 5, null, null, 1, null],
            Edges([], [], [0, 1], [2], [2], []),
            [null, null, null, null, null, 4],
            defaultPriority: 3);

        Assert.Equal([2, 5, 5, 5, 1, 4], priorities);
    }

    [Fact]
    public void InheritPriorities_GivesTheDefault_ToAJobWithoutParentsOrPriority() =>
        Assert.Equal([3], BatchGraph.InheritPriorities([null], [Array.Empty<int>()], [null], defaultPriority: 3));
}
