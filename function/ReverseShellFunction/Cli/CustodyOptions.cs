using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Hosting;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>verify</c>'s custody options: <c>--public-key FILE</c> (repeatable, for key rotation), <c>--tsa-cert FILE</c>
/// (repeatable), <c>--kms-key NAME</c>, <c>--require-signature</c>. Without key files the public keys come from
/// Cloud KMS getPublicKey for versions of the trusted key: --kms-key, or on a bucket KMS_KEY_VERSION's key.
/// </summary>
internal sealed class CustodyOptions
{
    public Option<string[]> PublicKeys { get; } = new("--public-key")
    {
        Description = "PEM public key that may have signed the manifests; repeat for rotated keys. Offline: no key is fetched",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> TsaCertificates { get; } = new("--tsa-cert") { Description = "PEM certificate of the time-stamping authority (or its CA); repeatable" };

    public Option<string?> KmsKey { get; } = new("--kms-key")
    {
        Description = "Trust versions of this Cloud KMS crypto key (projects/…/cryptoKeys/K) and fetch their public keys; default: KMS_KEY_VERSION's key",
    };

    public Option<bool> RequireSignature { get; } = new("--require-signature") { Description = "Fail (exit 1) on any part without a signature verified by a trusted key" };

    public void AddTo(Command command)
    {
        command.Options.Add(PublicKeys);
        command.Options.Add(TsaCertificates);
        command.Options.Add(KmsKey);
        command.Options.Add(RequireSignature);
    }

    /// <summary>The trust to verify with, and one line saying where the public keys come from.</summary>
    public (CustodyTrust Trust, string KeySource) Build(ParseResult parse, IServiceProvider services, bool onBucket)
    {
        var files = parse.GetValue(PublicKeys) ?? [];
        var certificates = parse.GetValue(TsaCertificates) ?? [];
        var require = parse.GetValue(RequireSignature);
        IPublicKeyResolver? resolver = null;
        string source;
        if (files.Length > 0)
        {
            source = $"public keys: {string.Join(", ", files)} (offline; nothing fetched)";
        }
        else if ((parse.GetValue(KmsKey) ?? (onBucket ? services.GetRequiredService<FunctionSettings>().Custody.KmsKeyVersion : null)) is { } trusted)
        {
            if (!KmsKeyVersionName.IsValid(trusted) && !KmsKeyVersionName.IsValidKey(trusted))
            {
                throw new UsageException($"--kms-key must be projects/P/locations/L/keyRings/R/cryptoKeys/K (or one of its versions); it is '{AuditText.Clean(trusted)}'.");
            }

            var kms = new KmsPublicKeyResolver(services.GetRequiredService<CloudKmsApi>(), trusted);
            resolver = kms;
            source = $"public keys: fetched from Cloud KMS getPublicKey, for versions of {kms.TrustedKey} only";
        }
        else
        {
            source = "public keys: none given (--public-key FILE): signatures are reported, NOT checked";
        }

        var tsa = certificates.Length > 0 ? $"; TSA certificates: {string.Join(", ", certificates)}" : "; no --tsa-cert: timestamps are read, their TSA NOT checked";
        return (CustodyTrust.FromFiles(files, certificates, resolver, require), source + tsa);
    }
}
