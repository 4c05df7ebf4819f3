using AspireJobs.Core.Workflows;

namespace AspireJobs.Tests.Core.Workflows;

/// <summary>Where the graph read places the jobs around a job, without I/O: shortest paths, each job once, in page order.</summary>
public sealed class JobGraphPositionsTests
{
    private static readonly Guid[] Jobs = [.. Enumerable.Range(1, 8).Select(n => Guid.Parse($"00000000-0000-0000-0000-{n:D12}"))];

    private static JobDependency Waits(int job, int parent) => new(Jobs[job], Jobs[parent]);

    [Fact]
    public void AJobReachedByPathsOfSeveralLengths_IsPlacedOnce_AtTheShortest()
    {
        // 1 waits for 0; 2 for 1; 3 for 2 and for 0 (a path of 1 and one of 3 from 0).
        var below = new[] { Waits(1, 0), Waits(2, 1), Waits(3, 2), Waits(3, 0) };

        var positions = JobGraphPositions.Of(Jobs[0], [], below);

        Assert.Equal(
            [(JobRelation.Descendant, 1, Jobs[1]), (JobRelation.Descendant, 1, Jobs[3]), (JobRelation.Descendant, 2, Jobs[2])],
            positions.Select(p => (p.Relation, p.Depth, p.Id)));
    }

    [Fact]
    public void ALadder_PlacesEachRungAtHalfItsDistance_RoundedUp()
    {
        // Each job waits for the one and the two before it.
        var below = Enumerable.Range(1, 7).SelectMany(n => n == 1 ? [Waits(1, 0)] : new[] { Waits(n, n - 1), Waits(n, n - 2) }).ToList();

        var positions = JobGraphPositions.Of(Jobs[0], [], below);

        Assert.Equal(Enumerable.Range(1, 7).Select(n => ((n + 1) / 2, Jobs[n])), positions.Select(p => (p.Depth, p.Id)));
    }

    [Fact]
    public void Ancestors_ComeBeforeDescendants_NearerBeforeFarther_ThenById()
    {
        // 3 waits for 2 and 1; 2 for 0; 4 and 5 wait for 3; 6 for 5.
        var above = new[] { Waits(3, 2), Waits(3, 1), Waits(2, 0) };
        var below = new[] { Waits(5, 3), Waits(4, 3), Waits(6, 5) };

        var positions = JobGraphPositions.Of(Jobs[3], above, below);

        Assert.Equal(
            [(JobRelation.Ancestor, 1, Jobs[1]), (JobRelation.Ancestor, 1, Jobs[2]), (JobRelation.Ancestor, 2, Jobs[0]),
             (JobRelation.Descendant, 1, Jobs[4]), (JobRelation.Descendant, 1, Jobs[5]), (JobRelation.Descendant, 2, Jobs[6])],
            positions.Select(p => (p.Relation, p.Depth, p.Id)));
        Assert.True(positions.SequenceEqual(positions.Order()));
    }

    [Fact]
    public void TheCursorsOrder_IsTheOrderOfTheirIdsText_AsPostgreSQLOrdersUuids()
    {
        // Guid's own comparison reads its first fields as numbers: these differ in the first byte
        // of the text, and in the last byte of the first field as .NET stores it.
        var low = Guid.Parse("0fffffff-0000-0000-0000-000000000000");
        var high = Guid.Parse("f0000000-0000-0000-0000-000000000000");

        Assert.True(new JobGraphCursor(JobRelation.Descendant, 1, low) < new JobGraphCursor(JobRelation.Descendant, 1, high));
        Assert.True(new JobGraphCursor(JobRelation.Ancestor, 9, high) < new JobGraphCursor(JobRelation.Descendant, 1, low));
        Assert.True(new JobGraphCursor(JobRelation.Descendant, 1, high) < new JobGraphCursor(JobRelation.Descendant, 2, low));
    }
}
