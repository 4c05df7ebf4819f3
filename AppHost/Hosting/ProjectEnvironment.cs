namespace AspireJobs.AppHost.Hosting;

/// <summary>
/// The environment an Aspire AppHost gives a project (see shared/reference/aspire-conventions.md
/// §1): connection strings and their properties, service discovery entries, OpenTelemetry
/// settings with a per-replica instance id, its URL and the Development environment. The
/// services read only these, so they run unchanged under a real Aspire AppHost.
/// </summary>
public static class ProjectEnvironment
{
    public static IReadOnlyDictionary<string, string?> For(ProjectInstance instance, ProjectResource resource, ApplicationRuntime runtime)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);

        foreach (var reference in resource.ConnectionReferences)
        {
            environment[$"ConnectionStrings__{reference.Name}"] = reference.ConnectionString;
            foreach (var (property, value) in reference.ConnectionProperties)
            {
                environment[$"{reference.Name.ToUpperInvariant()}_{property}"] = value;
            }
        }

        foreach (var service in resource.ServiceReferences)
        {
            if (runtime.ServiceUrl(service) is { } url)
            {
                environment[$"services__{service.Name}__http__0"] = url;
                environment[$"{service.Name.ToUpperInvariant()}_HTTP"] = url;
            }
        }

        environment["OTEL_SERVICE_NAME"] = resource.Name;
        environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instance.InstanceId}";
        environment["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory";
        environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
        environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
        environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        environment["OTEL_TRACES_SAMPLER"] = "always_on";
        environment["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based";
        // Telemetry goes where the user's environment points it (a standalone Aspire dashboard,
        // a collector); with no endpoint set, services export nothing.
        foreach (var name in new[] { "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS" })
        {
            environment[name] = Environment.GetEnvironmentVariable(name);
        }

        if (instance.Url is { } ownUrl)
        {
            environment["ASPNETCORE_URLS"] = ownUrl;
        }

        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        environment["DOTNET_ENVIRONMENT"] = "Development";
        environment["LOGGING__CONSOLE__FORMATTERNAME"] = "simple";
        environment["LOGGING__CONSOLE__FORMATTEROPTIONS__SINGLELINE"] = "true";

        foreach (var (name, value) in resource.Environment)
        {
            environment[name] = value;
        }

        return environment;
    }
}
