using ReverseShellFunction.Collect.GoogleApis;

namespace ReverseShellFunction.Custody;

/// <summary>Signs manifest digests with a Cloud KMS key version (KMS_KEY_VERSION); the private key never leaves KMS.</summary>
internal sealed class CloudKmsSigner : IManifestSigner
{
    private readonly CloudKmsApi _api;

    public CloudKmsSigner(CloudKmsApi api, string keyVersion)
    {
        _api = api;
        KeyId = keyVersion;
    }

    public string KeyId { get; }

    public async Task<ManifestSignature> SignDigestAsync(byte[] sha256, CancellationToken cancellationToken)
    {
        try
        {
            var (der, name) = await _api.AsymmetricSignAsync(KeyId, sha256, cancellationToken);
            return new ManifestSignature(der, name);
        }
        catch (GoogleApiException ex)
        {
            throw new SigningException($"Cloud KMS asymmetricSign on {KeyId} failed: {ex.Describe()}", ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new SigningException($"Cloud KMS asymmetricSign on {KeyId} gave no usable signature: {ex.Message}", ex);
        }
    }
}
