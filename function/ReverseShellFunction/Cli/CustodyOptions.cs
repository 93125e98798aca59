using System.CommandLine;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Kms;
using ReverseShellFunction.Text;

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

    public Option<bool> HashesOnly { get; } = new("--hashes-only")
    {
        Description = "Check hashes, files and the chain only, and say so: seals that no key or TSA certificate checks do not make the exit code 4",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public CustodyOptions(Command command)
    {
        command.Options.Add(PublicKeys);
        command.Options.Add(TsaCertificates);
        command.Options.Add(KmsKey);
        command.Options.Add(RequireSignature);
        command.Options.Add(HashesOnly);
    }

    /// <summary>
    /// The exit code for verdicts that all passed: 0, or <see cref="ExitCodes.NotChecked"/> when a seal was present
    /// that nothing checked (no key, no TSA certificate) and --hashes-only was not given; then a line on stderr says so.
    /// </summary>
    public async Task<int> PassedAsync(ParseResult parse, IReadOnlyCollection<BundleVerification> verdicts, TextWriter error)
    {
        var notChecked = verdicts.Where(v => v.NotChecked.Count > 0).ToList();
        if (notChecked.Count == 0 || parse.GetValue(HashesOnly))
        {
            return ExitCodes.Ok;
        }

        var what = string.Join(" and ", notChecked.SelectMany(v => v.NotChecked).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        await error.WriteLineAsync(
            $"error: NOT CHECKED: {notChecked.Count} part(s) carry a seal ({what}) that no trusted key or TSA certificate checked, so this is not a full verification. "
            + "Give --public-key FILE (or --kms-key) and --tsa-cert FILE, or --hashes-only to accept a check of the hashes alone (exit 4).");
        return ExitCodes.NotChecked;
    }

    /// <summary>The trust to verify with, and one line saying where the public keys come from.</summary>
    /// <param name="offline">Folders are verified, not the store: KMS_KEY_VERSION's key is not trusted by default.</param>
    public (CustodyTrust Trust, string KeySource) Build(ParseResult parse, IServiceProvider services, bool offline)
    {
        var onBucket = !offline && services.GetRequiredService<ReaderSettings>().EvidenceBucket is not null;
        var files = parse.GetValue(PublicKeys) ?? [];
        var certificates = parse.GetValue(TsaCertificates) ?? [];
        var require = parse.GetValue(RequireSignature);
        if (parse.GetValue(HashesOnly) && (files.Length > 0 || certificates.Length > 0 || parse.GetValue(KmsKey) is not null || require))
        {
            throw new UsageException("--hashes-only skips the seal checks: give it without --public-key, --tsa-cert, --kms-key and --require-signature.");
        }

        IPublicKeyResolver? resolver = null;
        string source;
        if (files.Length > 0)
        {
            source = $"public keys: {string.Join(", ", files)} (offline; nothing fetched)";
        }
        else if (!parse.GetValue(HashesOnly) && (parse.GetValue(KmsKey) ?? (onBucket ? services.GetRequiredService<ReaderSettings>().KmsKeyVersion() : null)) is { } trusted)
        {
            if (!KmsKeyVersionName.IsValid(trusted) && !KmsKeyVersionName.IsValidKey(trusted))
            {
                throw new UsageException($"--kms-key must be projects/P/locations/L/keyRings/R/cryptoKeys/K (or one of its versions); it is '{DisplayText.Visible(trusted)}'.");
            }

            var api = new CloudKmsApi(services.GetRequiredService<GoogleApiClient>(), services.GetRequiredService<ReaderSettings>().KmsEndpoint());
            var kms = new KmsPublicKeyResolver(api, trusted);
            resolver = kms;
            source = $"public keys: fetched from Cloud KMS getPublicKey, for versions of {kms.TrustedKey} only";
        }
        else
        {
            source = parse.GetValue(HashesOnly)
                ? "public keys: none (--hashes-only): hashes, files and the chain are checked; signatures and timestamps are NOT checked"
                : "public keys: none given (--public-key FILE): signatures are reported, NOT checked";
        }

        var tsa = certificates.Length > 0 ? $"; TSA certificates: {string.Join(", ", certificates)}" : "; no --tsa-cert: timestamps are read, their TSA NOT checked";
        return (CustodyTrust.FromFiles(files, certificates, resolver, require), source + tsa);
    }
}
