using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ReverseShellFunction.Custody;

/// <summary>
/// What an auditor trusts when checking seals: public keys (PEM files, more than one across a key rotation, or
/// fetched from Cloud KMS for versions of one configured key), TSA certificates, and whether an unsigned part is
/// a failure. Without keys a signature is reported as not checked, never as verified.
/// </summary>
public sealed class CustodyTrust(IReadOnlyList<TrustedKey> keys, IReadOnlyList<X509Certificate2> tsaCertificates, IPublicKeyResolver? resolver, bool requireSignature) : IDisposable
{
    public static CustodyTrust None { get; } = new([], [], null, requireSignature: false);

    public IReadOnlyList<TrustedKey> Keys { get; } = keys ?? throw new ArgumentNullException(nameof(keys));

    public IReadOnlyList<X509Certificate2> TsaCertificates { get; } = tsaCertificates ?? throw new ArgumentNullException(nameof(tsaCertificates));

    /// <summary>Fetches the public key of a key version the seal names, when no key files were given.</summary>
    public IPublicKeyResolver? Resolver { get; } = resolver;

    public bool RequireSignature { get; } = requireSignature;

    /// <summary>Whether the auditor named keys (files or a Cloud KMS key): then every part must verify with one of them.</summary>
    public bool HasKeys => Keys.Count > 0 || Resolver is not null;

    /// <summary>Reads PEM public keys and TSA certificates from files.</summary>
    /// <exception cref="InvalidOperationException">A file is missing or not what it should be; the message names it.</exception>
    public static CustodyTrust FromFiles(IEnumerable<string> publicKeyFiles, IEnumerable<string> tsaCertificateFiles, IPublicKeyResolver? resolver, bool requireSignature)
    {
        ArgumentNullException.ThrowIfNull(publicKeyFiles);
        ArgumentNullException.ThrowIfNull(tsaCertificateFiles);
        var keys = publicKeyFiles.Select(file => Read("--public-key", file, () =>
        {
            var key = EcKeys.ImportPublicPem(File.ReadAllText(file), $"--public-key {file}");
            return new TrustedKey(key, EcKeys.Fingerprint(key), $"public key file {file}");
        })).ToList();
        var certificates = tsaCertificateFiles.SelectMany(file => Read("--tsa-cert", file, () =>
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(file);
            return collection.Count == 0 ? throw new CryptographicException("no PEM certificate in the file") : collection;
        })).ToList();
        return new CustodyTrust(keys, certificates, resolver, requireSignature);

        // A file that cannot be read or is not what it should be: the message names the option and the file.
        static T Read<T>(string option, string file, Func<T> read)
        {
            try
            {
                return read();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw new InvalidOperationException($"{option} {file}: {ex.Message}", ex);
            }
        }
    }

    public void Dispose()
    {
        if (ReferenceEquals(this, None))
        {
            return;
        }

        foreach (var key in Keys)
        {
            key.Key.Dispose();
        }

        foreach (var certificate in TsaCertificates)
        {
            certificate.Dispose();
        }
    }
}

/// <summary>A public key an auditor trusts, and where it came from (said in every verdict it gives).</summary>
public sealed record TrustedKey(ECDsa Key, string Fingerprint, string Source);

/// <summary>Finds the public key of a key id named in a seal (Cloud KMS getPublicKey), within a trusted scope.</summary>
public interface IPublicKeyResolver
{
    /// <exception cref="PublicKeyUnavailableException">The key is outside the trusted scope or cannot be fetched.</exception>
    Task<TrustedKey> ResolveAsync(string keyId, CancellationToken cancellationToken);
}

public sealed class PublicKeyUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
