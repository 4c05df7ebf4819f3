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
/// tick tries again. Actions show, and run, only when the signed-in key's scope covers them.
/// </summary>
public abstract class LivePage : ComponentBase, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    [CascadingParameter]
    private Task<AuthenticationState>? Authentication { get; set; }

    [Inject]
    private NavigationManager Navigation { get; set; } = null!;

    /// <summary>The signed-in key's scope; null until known, and for nobody.</summary>
    private ApiScope? _scope;

    /// <summary>Why the last load failed; null when it did not.</summary>
    protected string? LoadError { get; private set; }

    protected virtual TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected CancellationToken Stopping => _stop.Token;

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

    /// <summary>Loads now, as after an action of the user's; the caller renders.</summary>
    protected async Task ReloadAsync()
    {
        try
        {
            await LoadAsync(_stop.Token);
            LoadError = null;
        }
        catch (Exception e) when (e is NpgsqlException || RedisFailure.Is(e))
        {
            LoadError = RedisFailure.Describe(e);
        }
    }

    private async Task RefreshAsync()
    {
        // On the circuit's synchronization context: loads never overlap the user's actions.
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
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
