using System.Security.Cryptography;

namespace ReverseShellFunction.Custody;

/// <summary>ECDSA P-256 key helpers shared by the signers and the verifier.</summary>
public static class EcKeys
{
    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>Lower-case hex SHA-256 of the key's SubjectPublicKeyInfo: the same value <c>openssl pkey -pubin -outform DER | sha256sum</c> prints.</summary>
    public static string Fingerprint(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>The key id a local key signs as.</summary>
    public static string LocalKeyId(ECDsa key) => LocalKeyIdOf(Fingerprint(key));

    public static string LocalKeyIdOf(string fingerprint) => "local:sha256:" + fingerprint;

    /// <exception cref="CryptographicException">Not a P-256 key.</exception>
    public static void EnsureP256(ECDsa key, string what)
    {
        ArgumentNullException.ThrowIfNull(key);
        var curve = key.ExportParameters(false).Curve;
        if (curve.Oid?.Value != P256Oid && curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256"))
        {
            throw new CryptographicException($"{what} is not an ECDSA P-256 key (curve {curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "unnamed"}).");
        }
    }

    /// <summary>Reads one PEM public key (SubjectPublicKeyInfo) or the public half of a private key.</summary>
    /// <exception cref="CryptographicException">The text holds no usable P-256 key.</exception>
    public static ECDsa ImportPublicPem(string pem, string what)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            EnsureP256(key, what);
            var publicOnly = ECDsa.Create();
            publicOnly.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
            return publicOnly;
        }
        catch (ArgumentException ex)
        {
            throw new CryptographicException($"{what} holds no PEM ECDSA key: {ex.Message}", ex);
        }
        finally
        {
            key.Dispose();
        }
    }
}
