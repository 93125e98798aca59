using Polly;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Infrastructure.GoogleApis;

namespace ReverseShellFunction.Infrastructure.Kms;

/// <summary>Signs manifest digests with a Cloud KMS key version (KMS_KEY_VERSION); the private key never leaves KMS.</summary>
internal sealed class CloudKmsSigner(CloudKmsApi api, string keyVersion) : IManifestSigner
{
    /// <summary>
    /// Calls made for one signature when answers fail their integrity checks: Google asks clients to discard such an
    /// answer and retry "a limited number of times"; a persistent mismatch is not a transfer fault, so it stops here.
    /// </summary>
    public const int IntegrityAttempts = 3;

    // Signing the same digest again is harmless (nothing changes in KMS), so the call is repeated at once.
    private static readonly ResiliencePipeline s_integrity = new RetryPolicy { MaxAttempts = IntegrityAttempts, InitialBackoff = TimeSpan.Zero }
        .Retries(failure => failure is UntrustedAnswerException, (_, _, _) => { })
        .Build();

    public string KeyId { get; } = keyVersion;

    public async Task<ManifestSignature> SignDigestAsync(byte[] sha256, CancellationToken cancellationToken)
    {
        try
        {
            var (der, name) = await s_integrity.ExecuteAsync(async token => await api.AsymmetricSignAsync(KeyId, sha256, token), cancellationToken);
            return new ManifestSignature(der, name);
        }
        catch (GoogleApiException ex)
        {
            throw new SigningException($"Cloud KMS asymmetricSign on {KeyId} failed: {ex.Describe()}", ex);
        }
        catch (UntrustedAnswerException ex)
        {
            throw new SigningException($"Cloud KMS asymmetricSign on {KeyId}: signature not trusted after {IntegrityAttempts} attempts: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new SigningException($"Cloud KMS asymmetricSign on {KeyId} gave no usable signature: {ex.Message}", ex);
        }
    }
}
