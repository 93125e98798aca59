namespace ReverseShellFunction.Infrastructure.GoogleApis.Auth;

/// <summary>
/// A cheap, local guess at whether Application Default Credentials can exist here. Without it the library
/// would probe the metadata server from a laptop and wait for its timeouts before saying "no"; with it, a
/// replay without credentials is skipped at once and no request leaves the machine.
/// </summary>
public sealed class CredentialEnvironment(Func<string, string?> variable, Func<string, bool> fileExists, Func<string, string?> readFile)
{
    public static CredentialEnvironment System { get; } = new(
        Environment.GetEnvironmentVariable,
        File.Exists,
        path => File.Exists(path) ? File.ReadAllText(path) : null);

    /// <summary>The metadata server's address when no credentials file comes first (Cloud Run, Compute Engine).</summary>
    public const string DefaultMetadataHost = "169.254.169.254";

    /// <summary>Names the source the library will find first, or returns null when there is none.</summary>
    public string? DescribeSource()
    {
        if (Set("GOOGLE_APPLICATION_CREDENTIALS") is { } file)
        {
            return $"credentials file named by GOOGLE_APPLICATION_CREDENTIALS ({file})";
        }

        if (WellKnownFile() is { } wellKnown && fileExists(wellKnown))
        {
            return "gcloud application-default credentials";
        }

        return MetadataServer() is { } metadata ? metadata.Description : null;
    }

    /// <summary>
    /// The metadata server's host (<c>host[:port]</c>) when it is the source (no credentials file comes first), else
    /// null. Tokens then come straight from it: the library's own detection pings the server once per process and
    /// keeps a "no" for good, so a server still starting (a cold start) would leave the process without credentials.
    /// </summary>
    public string? MetadataHost()
    {
        if (Set("GOOGLE_APPLICATION_CREDENTIALS") is not null || (WellKnownFile() is { } wellKnown && fileExists(wellKnown)))
        {
            return null;
        }

        return MetadataServer()?.Host;
    }

    private (string Host, string Description)? MetadataServer()
    {
        if (Set("GCE_METADATA_HOST") is { } host)
        {
            return (host, $"metadata server at GCE_METADATA_HOST ({host})");
        }

        // Cloud Run sets K_SERVICE for services and CLOUD_RUN_JOB for jobs; its metadata server is always there.
        if (Set("K_SERVICE") is not null || Set("CLOUD_RUN_JOB") is not null)
        {
            return (DefaultMetadataHost, "Cloud Run metadata server");
        }

        // The same local hint the library uses on Linux: a Compute Engine VM reports "Google" here.
        if (readFile("/sys/class/dmi/id/product_name") is { } product && product.Contains("Google", StringComparison.OrdinalIgnoreCase))
        {
            return (DefaultMetadataHost, "Compute Engine metadata server");
        }

        return null;
    }

    private string? WellKnownFile()
    {
        // Where gcloud writes application-default credentials, mirroring the library's own search.
        if (Set("APPDATA") is { } appData)
        {
            return Path.Combine(appData, "gcloud", "application_default_credentials.json");
        }

        return Set("HOME") is { } home ? Path.Combine(home, ".config", "gcloud", "application_default_credentials.json") : null;
    }

    private string? Set(string name) => variable(name) is { Length: > 0 } value ? value : null;
}
