using Google.Apis.Auth.OAuth2;

namespace ReverseShellFunction.Infrastructure.GoogleApis.Auth;

/// <summary>
/// Tokens from Application Default Credentials: the metadata server on Cloud Run, GOOGLE_APPLICATION_CREDENTIALS
/// or gcloud's application-default login on a laptop. Only a credential that was found is kept; a failed lookup or
/// token request is a transient failure (<see cref="CredentialsUnavailableException"/>), tried again by the next
/// call, so a metadata server that is not answering during a cold start never leaves the process without
/// credentials. "No credentials" (collectors skipped) is only the configuration: no source at all here.
/// </summary>
/// <param name="notice">
/// How loudly to say there are no credentials; by default the server's composition, where an instance without
/// credentials is a configuration problem (a warning).
/// </param>
public sealed class ApplicationDefaultTokenSource(
    CredentialEnvironment environment, ILogger<ApplicationDefaultTokenSource> logger, MissingCredentialsNotice? notice = null) : IAccessTokenSource, IDisposable
{
    private const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    // The library's own lookup retries with short timeouts; this bounds one whole lookup.
    private static readonly TimeSpan s_lookupTimeout = TimeSpan.FromSeconds(10);

    private readonly Lazy<string?> _source = new(() => DescribeSource(environment, notice ?? MissingCredentialsNotice.Warning, logger));
    private readonly SemaphoreSlim _lookup = new(1, 1);
    private GoogleCredential? _credential;

    /// <summary>Whether this environment has a credential source at all: configuration, so the answer is cached.</summary>
    public Task<bool> HasCredentialsAsync(CancellationToken cancellationToken) => Task.FromResult(_source.Value is not null);

    /// <exception cref="InvalidOperationException">There is no credential source in this environment.</exception>
    /// <exception cref="CredentialsUnavailableException">The source did not give a token now; a later call tries again.</exception>
    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var source = _source.Value ?? throw new InvalidOperationException("No Google credentials are available.");
        var credential = _credential ?? await LookUpAsync(source, cancellationToken);
        try
        {
            return await ((ITokenAccess)credential).GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new CredentialsUnavailableException($"the {source} gave no access token: {ex.Message}", ex);
        }
    }

    public void Dispose() => _lookup.Dispose();

    private static string? DescribeSource(CredentialEnvironment environment, MissingCredentialsNotice notice, ILogger logger)
    {
        var source = environment.DescribeSource();
        if (source is null)
        {
            logger.Log(
                notice.Level,
                "No Google credentials here (no GOOGLE_APPLICATION_CREDENTIALS, gcloud application-default login or metadata server): {Collectors} are not collected; the notification itself is stored",
                MissingCredentialsNotice.Collectors);
        }

        return source;
    }

    private async Task<GoogleCredential> LookUpAsync(string source, CancellationToken cancellationToken)
    {
        await _lookup.WaitAsync(cancellationToken);
        try
        {
            if (_credential is { } found)
            {
                return found;
            }

            GoogleCredential credential;
            if (environment.MetadataHost() is { } host)
            {
                credential = MetadataServerCredential.For(host);
            }
            else
            {
                try
                {
                    credential = await GoogleCredential.GetApplicationDefaultAsync(cancellationToken).WaitAsync(s_lookupTimeout, cancellationToken);
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
                {
                    logger.LogWarning(ex, "Application Default Credentials are not available from the {CredentialSource} now; the next call tries again", source);
                    throw new CredentialsUnavailableException($"the {source} gave no credentials: {ex.Message}", ex);
                }
            }

            logger.LogInformation("Using Application Default Credentials from the {CredentialSource}", source);
            _credential = credential.CreateScoped(CloudPlatformScope);
            return _credential;
        }
        finally
        {
            _lookup.Release();
        }
    }
}
