using System.Diagnostics;
using System.Diagnostics.Metrics;
using AspireJobs.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AspireJobs.Tests.ServiceDefaults;

/// <summary>
/// A service records spans only when they go somewhere: to an OTLP endpoint, or to an exporter of
/// the user's own once <c>OTEL_SDK_DISABLED=false</c> says so. Measurements are taken only for a
/// reader, which the OTLP exporter brings.
/// </summary>
public sealed class TelemetryRecordingTests
{
    [Theory]
    [InlineData(null, null, false, false)]
    [InlineData("http://127.0.0.1:9", null, true, true)]
    [InlineData(null, "false", true, false)]
    [InlineData("http://127.0.0.1:9", "true", false, false)]
    public Task AService_RecordsTelemetry_OnlyWhenItIsExported(string? endpoint, string? sdkDisabled, bool spansRecorded, bool measured) =>
        RecordsAsync(OpenTelemetryDefaults.ExporterEndpointKey, endpoint, sdkDisabled, spansRecorded, measured);

    // One signal's endpoint keeps OpenTelemetry on (spans are recorded for the tracer provider
    // the client integrations add as well), and gives that signal alone an exporter: measurements
    // are taken only when metrics go somewhere.
    [Theory]
    [InlineData(OpenTelemetryDefaults.TracesEndpointKey, false)]
    [InlineData(OpenTelemetryDefaults.MetricsEndpointKey, true)]
    [InlineData(OpenTelemetryDefaults.LogsEndpointKey, false)]
    public Task AService_ExportsASignal_WhenOnlyItsEndpointIsSet(string endpointKey, bool measured) =>
        RecordsAsync(endpointKey, "http://127.0.0.1:9", null, spansRecorded: true, measured);

    private static async Task RecordsAsync(string endpointKey, string? endpoint, string? sdkDisabled, bool spansRecorded, bool measured)
    {
        // Names of this test's own, inside the project's AspireJobs.* sources and meters.
        var name = $"AspireJobs.Probe.{Guid.NewGuid():N}";
        using var source = new ActivitySource(name);
        using var meter = new Meter(name);
        var counter = meter.CreateCounter<long>("probe.count");

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [endpointKey] = endpoint,
            [OpenTelemetryDefaults.SdkDisabledKey] = sdkDisabled,
        });
        builder.ConfigureOpenTelemetry();
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            Assert.Equal(spansRecorded, source.HasListeners());
            Assert.Equal(measured, counter.Enabled);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
