using Google.Cloud.Storage.V1;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// Builds the one <see cref="StorageClient"/> the app uses. With an emulator host (STORAGE_EMULATOR_HOST) the
/// client talks to it without credentials; otherwise it uses Application Default Credentials (on Cloud Run, the
/// service account from the metadata server).
/// </summary>
public static class StorageClientFactory
{
    private const string NoCredentials =
        "EVIDENCE_BUCKET (or --bucket) names a bucket, but no Google credentials were found: set GOOGLE_APPLICATION_CREDENTIALS, run 'gcloud auth application-default login', or run on Google Cloud.";

    /// <param name="credentials">
    /// The local check the collectors use too: with no credential source at all the client is not built, so no
    /// metadata-server probe leaves the machine and the answer is one clear line at once.
    /// </param>
    public static StorageClient Create(string? emulatorHost, CredentialEnvironment credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (string.IsNullOrWhiteSpace(emulatorHost))
        {
            if (credentials.DescribeSource() is null)
            {
                throw new EvidenceStoreConfigurationException(NoCredentials);
            }

            try
            {
                // From the metadata server without the library's once-per-process ping (MetadataServerCredential).
                return credentials.MetadataHost() is { } host
                    ? new StorageClientBuilder { GoogleCredential = MetadataServerCredential.For(host) }.Build()
                    : new StorageClientBuilder().Build();
            }
            catch (InvalidOperationException ex)
            {
                // The library's message names what it looked for; ours says what to do.
                throw new EvidenceStoreConfigurationException(NoCredentials, ex);
            }
        }

        // UnauthenticatedAccess: emulators and the test fake accept no tokens, and there may be no ADC locally.
        return new StorageClientBuilder { BaseUri = EmulatorBaseUri(emulatorHost), UnauthenticatedAccess = true }.Build();
    }

    /// <summary>
    /// The client's BaseUri for an emulator host given as <c>host:port</c> or <c>http(s)://host:port[/path]</c>:
    /// it must end in <c>/storage/v1/</c>, or every call goes to the wrong path (uploads and downloads are
    /// derived from it too).
    /// </summary>
    public static string EmulatorBaseUri(string emulatorHost)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(emulatorHost);
        var text = emulatorHost.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host)
            || uri.Query.Length > 0)
        {
            throw new InvalidOperationException($"STORAGE_EMULATOR_HOST must be host:port or http(s)://host:port; it is '{emulatorHost}'.");
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith("/storage/v1", StringComparison.Ordinal))
        {
            path += "/storage/v1";
        }

        return $"{uri.GetLeftPart(UriPartial.Authority)}{path}/";
    }
}
