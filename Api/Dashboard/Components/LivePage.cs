using AspireJobs.Api.Access;
using AspireJobs.Core.Dispatch;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Npgsql;

namespace AspireJobs.Api.Dashboard.Components;

/// <summary>
/// A dashboard page that keeps itself current: it loads when rendered over its circuit, then again
/// every <see cref="Interval"/>, pushing each change to the browser. A load that
/// fails (a server briefly away) leaves the last figures up with the reason shown, and the next
/// tick tries again. Actions show, and run, only when the signed-in key's scope covers them; one
/// that fails for a server away says so on the page (<see cref="ActAsync"/>).
/// </summary>
public abstract class LivePage : ComponentBase, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    /// <summary>The token of <see cref="_stop"/>, held: it stays readable once the source is disposed.</summary>
    private readonly CancellationToken _stopping;

    protected LivePage() => _stopping = _stop.Token;

    [CascadingParameter]
    private Task<AuthenticationState>? Authentication { get; set; }

    [Inject]
    private NavigationManager Navigation { get; set; } = null!;

    /// <summary>The signed-in key's scope; null until known, and for nobody.</summary>
    private ApiScope? _scope;

    /// <summary>Why the last load failed; null when it did not.</summary>
    protected string? LoadError { get; private set; }

    /// <summary>Why the user's last action failed; null when it did not.</summary>
    protected string? ActionError { get; private set; }

    protected virtual TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected CancellationToken Stopping => _stopping;

    /// <summary>Reads what the page shows.</summary>
    protected abstract Task LoadAsync(CancellationToken cancellationToken);

    /// <summary>Whether the signed-in key may do what needs <paramref name="scope"/>.</summary>
    protected bool May(ApiScope scope) => _scope is { } held && held.Covers(scope);

    protected override async Task OnInitializedAsync()
    {
        await ReadScopeAsync();
        await ReloadAsync();
        if (RendererInfo.IsInteractive)
        {
            _ = RefreshAsync();
        }
    }

    // The authentication state changes while the page is open when its key is no longer current
    // (DashboardKeyRevalidation): the page loads again over HTTP, where the lapsed sign-in is sent
    // to the sign-in page.
    protected override Task OnParametersSetAsync() => ReadScopeAsync();

    private async Task ReadScopeAsync()
    {
        var before = _scope;
        _scope = Authentication is null ? null : AccessPolicies.ScopeOf((await Authentication).User);
        if (before is not null && _scope is null && RendererInfo.IsInteractive)
        {
            Navigation.NavigateTo(Navigation.Uri, forceLoad: true);
        }
    }

    /// <summary>
    /// Runs an action of the user's, then loads. A server away shows why, until the next action,
    /// rather than end the page's connection, as an exception in an event handler does; and an
    /// action confirmed after the page was left (its dialog outlives it) does nothing.
    /// </summary>
    protected async Task ActAsync(Func<CancellationToken, Task> action)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            ActionError = null;
            await action(_stopping);
        }
        catch (Exception e) when (e is NpgsqlException || RedisFailure.Is(e))
        {
            ActionError = Unavailable(e);
        }

        await ReloadAsync();
    }

    /// <summary>Loads now, as after an action of the user's; the caller renders.</summary>
    protected async Task ReloadAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await LoadAsync(_stopping);
            LoadError = null;
        }
        catch (Exception e) when (e is NpgsqlException || RedisFailure.Is(e))
        {
            LoadError = Unavailable(e);
        }
    }

    /// <summary>Which server did not answer: the exception's own text names hosts and ports, which no page shows.</summary>
    private static string Unavailable(Exception e) =>
        e is NpgsqlException ? "PostgreSQL did not answer; try again shortly." : "Redis did not answer; try again shortly.";

    private async Task RefreshAsync()
    {
        // On the circuit's synchronization context: loads never overlap the user's actions.
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping))
            {
                await ReloadAsync();
                StateHasChanged();
            }
        }
        catch (OperationCanceledException)
        {
            // The page was closed.
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
