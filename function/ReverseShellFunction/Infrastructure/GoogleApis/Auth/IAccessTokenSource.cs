namespace ReverseShellFunction.Infrastructure.GoogleApis.Auth;

/// <summary>
/// Where the collectors get OAuth access tokens. A seam so tests and local demos can hand out a fixed token
/// without the process-wide Application Default Credentials machinery.
/// </summary>
public interface IAccessTokenSource
{
    /// <summary>
    /// False when this environment has no credential source at all (a laptop replay, the embedded demo): a
    /// configuration, so the answer is cached. True says nothing about whether a token can be had right now.
    /// </summary>
    Task<bool> HasCredentialsAsync(CancellationToken cancellationToken);

    /// <summary>A bearer token for the cloud-platform scope. Never log it.</summary>
    /// <exception cref="InvalidOperationException">There are no credentials.</exception>
    /// <exception cref="CredentialsUnavailableException">No token now (transient); a later call tries again.</exception>
    Task<string> GetAccessTokenAsync(CancellationToken cancellationToken);
}
