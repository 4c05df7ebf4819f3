using System.Globalization;

namespace AspireJobs.Api.Dashboard.Components;

/// <summary>How the dashboard writes values: times in UTC to the second.</summary>
public static class DashboardText
{
    public static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";
}
