namespace ReverseShellFunction.Infrastructure.GoogleApis.Auth;

/// <summary>
/// Says there are no credentials, so every collector is skipped without a request. For tests and demos that
/// build the whole pipeline and must never reach a real Google API from a machine that happens to have a login.
/// </summary>
public sealed class NoAccessTokenSource : IAccessTokenSource
{
    public static NoAccessTokenSource Instance { get; } = new();

    public Task<bool> HasCredentialsAsync(CancellationToken cancellationToken) => Task.FromResult(false);

    public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException("No Google credentials are available.");
}
