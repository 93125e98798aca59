using ReverseShellFunction.Infrastructure.Kms;
using ReverseShellFunction.Text;
namespace ReverseShellFunction.Hosting;

/// <summary>
/// How parts are sealed: a Cloud KMS key version (KMS_KEY_VERSION, full cryptoKeyVersions resource name) or a
/// local PEM key (SIGNING_KEY_FILE), not both; an optional RFC 3161 TSA (TSA_URL); the KMS API root
/// (KMS_API_ENDPOINT, for tests and private endpoints).
/// </summary>
public sealed record CustodySettings
{
    public string? KmsKeyVersion { get; init; }
    public string? SigningKeyFile { get; init; }
    public Uri? TsaUrl { get; init; }
    public required string KmsEndpoint { get; init; }

    /// <summary>Why a KMS_KEY_VERSION value cannot be used, or null when it is unset or a key version's full name.</summary>
    internal static string? KmsKeyVersionProblem(string? version) =>
        version is null || KmsKeyVersionName.IsValid(version)
            ? null
            : $"KMS_KEY_VERSION must be a key version's full name, projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/N; it is '{DisplayText.Visible(version)}'.";

    internal static CustodySettings From(Func<string, string?> get)
    {
        var version = get(SettingsCatalog.KmsKeyVersion.Name);
        if (KmsKeyVersionProblem(version) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var file = get(SettingsCatalog.SigningKeyFile.Name);
        if (version is not null && file is not null)
        {
            throw new InvalidOperationException("Set KMS_KEY_VERSION or SIGNING_KEY_FILE, not both: a part is sealed by one key.");
        }

        Uri? tsa = null;
        if (get(SettingsCatalog.TsaUrl.Name) is { } text && (!Uri.TryCreate(text, UriKind.Absolute, out tsa) || (tsa.Scheme != Uri.UriSchemeHttps && tsa.Scheme != Uri.UriSchemeHttp)))
        {
            throw new InvalidOperationException($"TSA_URL must be an http(s) URL of an RFC 3161 time-stamping authority; it is '{DisplayText.Visible(text)}'.");
        }

        return new CustodySettings
        {
            KmsKeyVersion = version,
            SigningKeyFile = file,
            TsaUrl = tsa,
            KmsEndpoint = SettingsCatalog.KmsApiEndpoint.Endpoint(get),
        };
    }
}
