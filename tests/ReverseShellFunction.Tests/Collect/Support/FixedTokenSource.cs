using ReverseShellFunction.Infrastructure.GoogleApis.Auth;

namespace ReverseShellFunction.Tests.Collect.Support;

/// <summary>Hands out one token, or says there are no credentials; counts the calls.</summary>
internal sealed class FixedTokenSource : IAccessTokenSource
{
    private readonly string? _token;
    private int _tokenRequests;

    public FixedTokenSource(string? token) => _token = token;

    public int TokenRequests => _tokenRequests;

    public Task<bool> HasCredentialsAsync(CancellationToken cancellationToken) => Task.FromResult(_token is not null);

    public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _tokenRequests);
        return _token is null ? throw new InvalidOperationException("no credentials") : Task.FromResult(_token);
    }
}
