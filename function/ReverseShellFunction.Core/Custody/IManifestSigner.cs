namespace ReverseShellFunction.Custody;

/// <summary>
/// Signs the SHA-256 digest of a manifest with an ECDSA P-256 key it never hands out: a Cloud KMS key version
/// in the deployment, a local PEM key for the evidence folder.
/// </summary>
public interface IManifestSigner
{
    /// <summary>The key's identity as the seal records it: the KMS key version's resource name, or <c>local:sha256:…</c>.</summary>
    string KeyId { get; }

    /// <summary>A DER (RFC 3279) ECDSA signature over <paramref name="sha256"/>, 32 bytes.</summary>
    /// <exception cref="SigningException">The signer could not sign.</exception>
    Task<ManifestSignature> SignDigestAsync(byte[] sha256, CancellationToken cancellationToken);
}

/// <summary>A DER signature and the key that made it (for KMS, the version the service says it used).</summary>
public sealed record ManifestSignature(byte[] Der, string KeyId);

/// <summary>Signing failed; the message says why, without secrets.</summary>
public sealed class SigningException(string message, Exception? innerException = null) : Exception(message, innerException);
