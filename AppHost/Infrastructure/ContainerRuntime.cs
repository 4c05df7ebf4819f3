using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace AspireJobs.AppHost.Infrastructure;

/// <summary>
/// Whether a container runtime answers here: its client asks its daemon for information. A
/// <c>docker</c> client without a daemon, which is common, does not count.
/// </summary>
public static class ContainerRuntime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The runtime Aspire would use: <c>DcpPublisher:ContainerRuntime</c> or <c>ASPIRE_CONTAINER_RUNTIME</c>, else docker.</summary>
    public static string Name(IConfiguration configuration) =>
        configuration["DcpPublisher:ContainerRuntime"] ?? configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker";

    public static bool Answers(IConfiguration configuration)
    {
        var startInfo = new ProcessStartInfo(Name(configuration))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("info");

        try
        {
            using var process = Process.Start(startInfo)!;
            process.StandardOutput.ReadToEndAsync();
            process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // No such client.
        }
    }
}
