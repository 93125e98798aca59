using System.Security.Cryptography;
using ReverseShellFunction.Custody;

namespace ReverseShellFunction.Infrastructure.Signing;

/// <summary>
/// Signs with an ECDSA P-256 private key read from a PEM file (SIGNING_KEY_FILE), so a local evidence folder
/// gets the same seal as the bucket. The key is read once at start; a bad file stops the start.
/// </summary>
public sealed class PemManifestSigner : IManifestSigner, IDisposable
{
    private readonly ECDsa _key;

    private PemManifestSigner(ECDsa key)
    {
        _key = key;
        KeyId = EcKeys.LocalKeyId(key);
    }

    public string KeyId { get; }

    /// <exception cref="InvalidOperationException">The file is missing, unreadable or not a P-256 private key; the message names SIGNING_KEY_FILE.</exception>
    public static PemManifestSigner FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"SIGNING_KEY_FILE {path} could not be read: {ex.Message}", ex);
        }

        return FromPem(pem, $"SIGNING_KEY_FILE {path}");
    }

    /// <exception cref="InvalidOperationException">The text is not a P-256 private key.</exception>
    public static PemManifestSigner FromPem(string pem, string what)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            EcKeys.EnsureP256(key, what);

            // A public key imports too; signing would then fail on the first bundle, so find out now.
            _ = key.ExportParameters(includePrivateParameters: true);
            return new PemManifestSigner(key);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{what} must hold a PEM ECDSA P-256 private key (openssl ecparam -name prime256v1 -genkey): {ex.Message}", ex);
        }
    }

    public Task<ManifestSignature> SignDigestAsync(byte[] sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        var der = _key.SignHash(sha256, DSASignatureFormat.Rfc3279DerSequence);
        return Task.FromResult(new ManifestSignature(der, KeyId));
    }

    public void Dispose() => _key.Dispose();
}
