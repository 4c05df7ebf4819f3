using AspireJobs.Api.Dashboard.Components;
using Npgsql;

namespace AspireJobs.Tests.Dashboard;

/// <summary>
/// How a dashboard page runs the user's actions (pure: a page of the test's own, its load
/// counted). An exception out of an event handler ends the page's connection, so a server away
/// must be said on the page instead.
/// </summary>
public sealed class LivePageTests
{
    private sealed class CountingPage : LivePage
    {
        public int Loads { get; private set; }

        public string? Error => ActionError;

        public CancellationToken Token => Stopping;

        public Task ActOnAsync(Func<CancellationToken, Task> action) => ActAsync(action);

        protected override Task LoadAsync(CancellationToken cancellationToken)
        {
            Loads++;
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task AnActionThatFindsPostgreSQLAway_SaysSo_WithoutTheServersAddress_UntilTheNextAction()
    {
        var page = new CountingPage();

        await page.ActOnAsync(_ => throw new NpgsqlException("Failed to connect to 127.0.0.1:5432"));

        Assert.Equal("PostgreSQL did not answer; try again shortly.", page.Error);
        Assert.Equal(1, page.Loads); // the page reads again what the action may have changed

        await page.ActOnAsync(_ => Task.CompletedTask);
        Assert.Null(page.Error);
        Assert.Equal(2, page.Loads);
    }

    [Fact]
    public async Task AnActionConfirmedAfterThePageWasLeft_DoesNothing_AndThrowsNothing()
    {
        // Its confirmation dialog belongs to the layout, and outlives the page.
        var page = new CountingPage();
        await page.DisposeAsync();

        var ran = false;
        await page.ActOnAsync(_ =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        Assert.False(ran);
        Assert.Equal(0, page.Loads);
        Assert.True(page.Token.IsCancellationRequested);
    }
}
