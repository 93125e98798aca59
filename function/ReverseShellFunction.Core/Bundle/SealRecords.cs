namespace ReverseShellFunction.Bundle;

/// <summary>
/// The <c>custody</c> part of manifest.json: who is meant to seal it, which TSA is asked, and what protected the
/// store when it was written. Inside the manifest, so the signature covers it.
/// </summary>
public sealed record ManifestCustody
{
    /// <summary>The key id the part is signed with; null when no key is configured (the part is stored unsigned).</summary>
    public string? Signer { get; init; }

    public string? TimestampAuthority { get; init; }

    public required StorageProtection Storage { get; init; }

    /// <summary>
    /// The latest time a timestamp token over this manifest can carry: sealing follows writing the manifest within
    /// seconds (the TSA's two attempts of 10 s), so a later token was obtained for a rewritten manifest. Null in
    /// parts made before the bound was written; then <see cref="DefaultSealWindow"/> after creation applies.
    /// </summary>
    public DateTimeOffset? SealBy { get; init; }

    /// <summary>How long after preparing the manifest its token may be dated (<see cref="SealBy"/>).</summary>
    public static readonly TimeSpan SealWindow = TimeSpan.FromMinutes(2);

    /// <summary>The bound for manifests that state none: their creation time plus this.</summary>
    public static readonly TimeSpan DefaultSealWindow = TimeSpan.FromMinutes(5);

    /// <summary>How far a TSA's clock may be behind the function's when the token is checked against the creation time.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);
}

/// <summary>
/// How a part was sealed, in <c>manifest.seal.json</c> and in the index entry. It cannot sit inside the manifest:
/// the signature and the timestamp are computed over the manifest's bytes, after it is written.
/// </summary>
public sealed record SealRecord
{
    public const string CurrentSchema = "reverse-shell-evidence/seal/v1";

    /// <summary>What <c>openssl dgst -sha256</c> means: ECDSA on P-256 over SHA-256, DER signature.</summary>
    public const string EcdsaP256Sha256 = "ECDSA_P256_SHA256";

    public string Schema { get; init; } = CurrentSchema;

    /// <summary>Lower-case hex SHA-256 of manifest.json's exact bytes: what is signed and timestamped.</summary>
    public required string ManifestSha256 { get; init; }

    /// <summary><c>signed</c>, <c>failed (reason)</c> or <c>unsigned (reason)</c>.</summary>
    public required string SignatureStatus { get; init; }

    /// <summary>Base64 of the DER signature in manifest.sig.</summary>
    public string? Signature { get; init; }

    /// <summary>The Cloud KMS key version resource name, or <c>local:sha256:…</c> for a PEM key.</summary>
    public string? KeyId { get; init; }

    public string? Algorithm { get; init; }

    /// <summary><c>ok</c>, <c>failed (reason)</c> or <c>not requested (reason)</c>.</summary>
    public required string Timestamp { get; init; }

    /// <summary>The time in the TSA's token (genTime).</summary>
    public DateTimeOffset? TimestampTime { get; init; }

    public string? TimestampAuthority { get; init; }

    /// <summary>Whether manifest.dsse.json was written.</summary>
    public bool Envelope { get; init; }

    public const string SignedStatus = "signed";
    public const string TimestampOk = "ok";
}
