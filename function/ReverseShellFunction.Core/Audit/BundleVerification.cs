using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The verdict on one bundle id, or on one object under <c>index/</c> or <c>bundles/</c> whose name names no
/// bundle (then <see cref="BundleId"/> is null and <see cref="ObjectName"/> says which).
/// </summary>
public sealed record BundleVerification
{
    public string? BundleId { get; init; }

    public string? ObjectName { get; init; }

    public bool Verified => Problems.Count == 0;

    /// <summary>The bundle object's retention or hold state as the store reports it; null when there is no bundle object.</summary>
    public string? Retention { get; init; }

    public required IReadOnlyList<VerificationCheck> Checks { get; init; }

    public required IReadOnlyList<VerificationProblem> Problems { get; init; }

    /// <summary>
    /// Checks that apply but were not done, for want of a trusted key or TSA certificate: "signature",
    /// "timestamp". A verdict with any is not a full one (verify exits 4 unless --hashes-only).
    /// </summary>
    public IReadOnlyList<string> NotChecked { get; init; } = [];

    /// <summary>The part's seal as read (who signed it, whether a trusted key verified it); null when it has no readable manifest.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public PartSeal? Seal { get; init; }

    /// <summary>Whether this verification read the part's index entry (then <see cref="Completion"/> is what it holds).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal bool IndexRead { get; init; }

    /// <summary>The completion state the part's index entry records; null when it has none or could not be read.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal CompletionState? Completion { get; init; }
}

/// <summary>
/// One part's seal, for the checks across a bundle's parts: a part is trusted only when a trusted key verified it,
/// and without keys the parts of one bundle must at least agree on who signed them.
/// </summary>
/// <param name="HasSignature">Whether the part carries manifest.sig.</param>
/// <param name="KeyId">The key the seal names (a Cloud KMS key version or local:sha256:…); null when none.</param>
/// <param name="Trusted">Whether the signature verified with a key the auditor trusts.</param>
public sealed record PartSeal(bool HasSignature, string? KeyId, bool Trusted)
{
    /// <summary>The signing key without its version: versions of one Cloud KMS key are one signer across a rotation.</summary>
    public string? Signer => KeyId is null ? null
        : KeyId.IndexOf("/cryptoKeyVersions/", StringComparison.Ordinal) is var at and > 0 ? KeyId[..at]
        : KeyId;
}
