using System.Collections.Concurrent;
using System.Security.Cryptography;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Infrastructure.GoogleApis;

namespace ReverseShellFunction.Infrastructure.Kms;

/// <summary>
/// For <c>verify</c> on a bucket without <c>--public-key</c>: fetches the public key of the key version a seal
/// names, but only for versions of the one crypto key the auditor trusts (KMS_KEY_VERSION or --kms-key). A seal
/// naming any other key is refused, so whoever can write the bucket cannot bring a key of their own.
/// </summary>
internal sealed class KmsPublicKeyResolver(CloudKmsApi api, string trustedKeyOrVersion) : IPublicKeyResolver
{
    private readonly string _cryptoKey = KmsKeyVersionName.CryptoKeyOf(trustedKeyOrVersion);
    private readonly ConcurrentDictionary<string, Task<TrustedKey>> _cache = new(StringComparer.Ordinal);

    public string TrustedKey => _cryptoKey;

    public Task<TrustedKey> ResolveAsync(string keyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (!KmsKeyVersionName.IsValid(keyId) || KmsKeyVersionName.CryptoKeyOf(keyId) != _cryptoKey)
        {
            throw new PublicKeyUnavailableException($"it is not a version of the trusted key {_cryptoKey}: signed by another key");
        }

        return _cache.GetOrAdd(keyId, name => FetchAsync(name, cancellationToken));
    }

    private async Task<TrustedKey> FetchAsync(string keyVersion, CancellationToken cancellationToken)
    {
        try
        {
            var pem = await api.GetPublicKeyPemAsync(keyVersion, cancellationToken);
            var key = EcKeys.ImportPublicPem(pem, $"the public key of {keyVersion}");
            return new TrustedKey(key, EcKeys.Fingerprint(key), $"Cloud KMS getPublicKey of {keyVersion}");
        }
        catch (GoogleApiException ex)
        {
            throw new PublicKeyUnavailableException($"Cloud KMS getPublicKey on {keyVersion} failed: {ex.Describe()}", ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or CryptographicException or System.Text.Json.JsonException)
        {
            throw new PublicKeyUnavailableException($"Cloud KMS getPublicKey on {keyVersion} gave no usable key: {ex.Message}", ex);
        }
    }
}
