using Google.Apis.Auth.OAuth2;

namespace ReverseShellFunction.Infrastructure.GoogleApis.Auth;

/// <summary>
/// The metadata server's credential, built without the library's detection ping: Google.Apis.Auth asks the server
/// once per process whether it exists and keeps a "no" for good, so a server that is not answering during a cold
/// start would leave the process without credentials. Built here, nothing is asked until the first token request,
/// and a failed token request is tried again by the next one.
/// </summary>
public static class MetadataServerCredential
{
    public static GoogleCredential For(string host)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        var tokenUrl = $"http://{host}/computeMetadata/v1/instance/service-accounts/default/token";
        return GoogleCredential.FromComputeCredential(new ComputeCredential(new ComputeCredential.Initializer(tokenUrl)));
    }
}
