namespace ReverseShellFunction.Collect.Auth;

/// <summary>
/// Where the collectors get OAuth access tokens. A seam so tests and local demos can hand out a fixed token
/// without the process-wide Application Default Credentials machinery.
/// </summary>
public interface IAccessTokenSource
{
    /// <summary>False when this process has no Google credentials at all (a laptop replay); the answer is cached.</summary>
    Task<bool> HasCredentialsAsync(CancellationToken cancellationToken);

    /// <summary>A bearer token for the cloud-platform scope. Never log it.</summary>
    /// <exception cref="InvalidOperationException">There are no credentials.</exception>
    Task<string> GetAccessTokenAsync(CancellationToken cancellationToken);
}
