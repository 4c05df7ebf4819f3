namespace AspireJobs.AppHost.Services;

public static class ResourceLinks
{
    /// <summary>Adds a dashboard link to a path on an endpoint, next to the endpoint's own link.</summary>
    public static void AddLinkBeside(this ResourceUrlsCallbackContext urls, string endpointName, string path, string displayText)
    {
        if (urls.Urls.FirstOrDefault(url => url.Endpoint?.EndpointName == endpointName) is { } endpoint)
        {
            urls.Urls.Add(new ResourceUrlAnnotation { Url = endpoint.Url.TrimEnd('/') + path, DisplayText = displayText, Endpoint = endpoint.Endpoint });
        }
    }
}
