using Google.Apis.Auth.OAuth2;

namespace ReverseShellFunction.Collect.Auth;

/// <summary>
/// Tokens from Application Default Credentials: the metadata server on Cloud Run, GOOGLE_APPLICATION_CREDENTIALS
/// or gcloud's application-default login on a laptop. GCE_METADATA_HOST is honoured by the library.
/// The credential is looked up once per process; the library caches and refreshes its tokens.
/// </summary>
public sealed class ApplicationDefaultTokenSource : IAccessTokenSource
{
    private const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    // The library's own metadata probe retries with short timeouts; this bounds the whole lookup.
    private static readonly TimeSpan s_lookupTimeout = TimeSpan.FromSeconds(10);

    private readonly CredentialEnvironment _environment;
    private readonly ILogger<ApplicationDefaultTokenSource> _logger;
    private readonly Lazy<Task<GoogleCredential?>> _credential;

    public ApplicationDefaultTokenSource(CredentialEnvironment environment, ILogger<ApplicationDefaultTokenSource> logger)
    {
        _environment = environment;
        _logger = logger;
        _credential = new Lazy<Task<GoogleCredential?>>(LookUpAsync);
    }

    public async Task<bool> HasCredentialsAsync(CancellationToken cancellationToken) =>
        await _credential.Value.WaitAsync(cancellationToken) is not null;

    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var credential = await _credential.Value.WaitAsync(cancellationToken)
            ?? throw new InvalidOperationException("No Google credentials are available.");
        return await ((ITokenAccess)credential).GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
    }

    /// <summary>Runs once, without a caller's token, so one cancelled collection cannot poison the cache.</summary>
    private async Task<GoogleCredential?> LookUpAsync()
    {
        var source = _environment.DescribeSource();
        if (source is null)
        {
            _logger.LogWarning("No Google credentials found (no GOOGLE_APPLICATION_CREDENTIALS, gcloud login or metadata server); collectors that call Google APIs are skipped");
            return null;
        }

        try
        {
            var credential = await GoogleCredential.GetApplicationDefaultAsync().WaitAsync(s_lookupTimeout);
            _logger.LogInformation("Using Application Default Credentials from the {CredentialSource}", source);
            return credential.CreateScoped(CloudPlatformScope);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            _logger.LogWarning(ex, "Application Default Credentials are not available from the {CredentialSource}; collectors that call Google APIs are skipped", source);
            return null;
        }
    }
}
