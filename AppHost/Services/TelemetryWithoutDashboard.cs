using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.AppHost.Services;

/// <summary>
/// Aspire points every project's OTLP exporter at the dashboard's address even when the dashboard
/// is off (<c>--no-dashboard</c>, tests, the benchmark), where nothing listens. A service would then
/// batch, serialize and fail to send every span, log and metric it records: a worker spent about
/// 3.5 % of its time in the OTLP serializer alone. Without a dashboard, the services get no
/// exporter, and so record nothing (ServiceDefaults' OpenTelemetryDefaults); they still name
/// themselves (<c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>, from which a worker takes
/// its replica's id).
/// </summary>
public static class TelemetryWithoutDashboard
{
    public static readonly string[] ExporterVariables =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS"];

    public static IResourceBuilder<ProjectResource> WithoutExporterWhenNoDashboard(this IResourceBuilder<ProjectResource> project) =>
        project.WithEnvironment(context =>
        {
            if (context.ExecutionContext.IsRunMode
                && context.ExecutionContext.Services.GetRequiredService<DistributedApplicationOptions>().DisableDashboard)
            {
                foreach (var variable in ExporterVariables)
                {
                    context.EnvironmentVariables.Remove(variable);
                }
            }
        });
}
