using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Storage;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Infrastructure.Kms;

/// <summary>
/// Cloud KMS v1 over REST, the two calls custody needs: <c>POST v1/{version}:asymmetricSign</c> with
/// <c>{"digest":{"sha256"}, "digestCrc32c"}</c>, and <c>GET v1/{version}/publicKey</c>. Both go through
/// <see cref="GoogleApiClient"/> (bearer token, retries, error bodies). Every answer's CRC32C is checked, as
/// Google asks clients to, so a corrupted signature or key is never stored or trusted.
/// </summary>
internal sealed class CloudKmsApi(GoogleApiClient client, string root)
{
    /// <summary>The DER signature over <paramref name="sha256"/> and the version name KMS says it used.</summary>
    /// <exception cref="GoogleApiException">The call failed.</exception>
    /// <exception cref="UntrustedAnswerException">The answer fails an integrity check (checksums, name).</exception>
    public async Task<(byte[] Der, string Name)> AsymmetricSignAsync(string keyVersion, byte[] sha256, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            digest = new { sha256 = Convert.ToBase64String(sha256) },
            digestCrc32c = Crc32C.Compute(sha256).ToString(CultureInfo.InvariantCulture),
        });
        using var answer = await client.PostJsonAsync(Uri(keyVersion, ":asymmetricSign"), body, cancellationToken);
        var root = answer.RootElement;
        var signature = Convert.FromBase64String(Text(root, "signature") ?? throw new UntrustedAnswerException("the answer has no signature"));

        // proto3 JSON leaves out a field that holds its default value, so a false verifiedDigestCrc32c arrives as
        // no field at all: only an explicit true says KMS received the digest checksum and checked the digest.
        if (!root.TryGetProperty("verifiedDigestCrc32c", out var verified) || verified.ValueKind != JsonValueKind.True)
        {
            throw new UntrustedAnswerException("Cloud KMS did not confirm the digest's CRC32C (verifiedDigestCrc32c is not true): the request may have been corrupted on the way");
        }

        var crc = Text(root, "signatureCrc32c") ?? throw new UntrustedAnswerException("the answer has no signatureCrc32c");
        if (crc != Crc32C.Compute(signature).ToString(CultureInfo.InvariantCulture))
        {
            throw new UntrustedAnswerException("the signature's CRC32C does not match: the answer was corrupted on the way");
        }

        var name = Text(root, "name") ?? throw new UntrustedAnswerException("the answer does not name the key version that signed");
        if (name != keyVersion)
        {
            throw new UntrustedAnswerException($"Cloud KMS signed with {name}, not the requested {keyVersion}");
        }

        return (signature, name);
    }

    /// <summary>The version's public key as PEM, after checking algorithm, name and CRC32C.</summary>
    public async Task<string> GetPublicKeyPemAsync(string keyVersion, CancellationToken cancellationToken)
    {
        using var answer = await client.GetJsonAsync(Uri(keyVersion, "/publicKey"), cancellationToken);
        var root = answer.RootElement;
        var pem = Text(root, "pem") ?? throw new InvalidDataException("the answer has no pem");
        if (Text(root, "algorithm") is { } algorithm && algorithm != "EC_SIGN_P256_SHA256")
        {
            throw new InvalidDataException($"the key version's algorithm is {algorithm}, not EC_SIGN_P256_SHA256");
        }

        if (Text(root, "pemCrc32c") is { } crc && crc != Crc32C.Compute(System.Text.Encoding.UTF8.GetBytes(pem)).ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException("the public key's CRC32C does not match: the answer was corrupted on the way");
        }

        if (Text(root, "name") is { } name && name != keyVersion)
        {
            throw new InvalidDataException($"Cloud KMS answered with the key of {name}, not {keyVersion}");
        }

        return pem;
    }

    public string Describe(string keyVersion) => $"{root}/v1/{keyVersion}";

    private Uri Uri(string keyVersion, string suffix)
    {
        if (!KmsKeyVersionName.IsValid(keyVersion))
        {
            throw new ArgumentException($"'{keyVersion}' is not a Cloud KMS key version name.", nameof(keyVersion));
        }

        // The name was checked against its pattern, so it can be put in the path as it is (slashes included).
        return new Uri($"{root}/v1/{keyVersion}{suffix}", UriKind.Absolute);
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>A Cloud KMS answer that arrived but cannot be trusted: a checksum is missing or wrong, or it names another key version.</summary>
internal sealed class UntrustedAnswerException(string message) : Exception(message);
