using AspireJobs.Api.Dashboard.Layout;
using Microsoft.FluentUI.AspNetCore.Components;

namespace AspireJobs.Api.Dashboard;

/// <summary>
/// The job dashboard at <see cref="Path"/> (and <c>/</c> redirects there): Blazor components
/// rendered on the server over their circuit (the page's HTML is a shell), so pages update by
/// server push. Its
/// script, styles and FluentUI's web components are static assets of this project, served by
/// the Api itself.
/// </summary>
public static class DashboardEndpoints
{
    public const string Path = "/dashboard";

    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        // The assets' manifest from the build output, in every environment (by default only
        // Development reads it, and a service started from its build output is not in Development).
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        return builder;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous(); // styles and scripts, the sign-in page's included; no data
        app.MapGet("/", () => Results.Redirect(Path)).ExcludeFromDescription();
        // Framing is forbidden for every answer of the Api (SecurityHeaders), more strictly than
        // Blazor's own default ('self'), which would add a second policy.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
