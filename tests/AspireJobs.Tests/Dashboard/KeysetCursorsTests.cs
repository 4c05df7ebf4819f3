using AspireJobs.Api.Dashboard.Components;

namespace AspireJobs.Tests.Dashboard;

public sealed class KeysetCursorsTests
{
    [Fact]
    public void OlderThenNewer_ComesBackThroughEachPage_AndNewerOnTheNewestPageStaysThere()
    {
        var cursors = new KeysetCursors();
        var second = Guid.CreateVersion7();
        var third = Guid.CreateVersion7();

        cursors.Older(second);
        cursors.Older(third);
        Assert.Equal(third, cursors.Current);

        cursors.Newer();
        Assert.Equal(second, cursors.Current);
        cursors.Newer();
        Assert.Null(cursors.Current);
        Assert.False(cursors.HasNewer);

        // A second click on Newer that arrives before the page has redrawn its buttons.
        cursors.Newer();
        Assert.Null(cursors.Current);
    }
}
