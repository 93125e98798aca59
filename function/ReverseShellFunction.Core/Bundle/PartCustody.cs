namespace ReverseShellFunction.Bundle;

/// <summary>
/// What a part's summary.html can say of its custody at the moment it is written: which part, the part before it
/// (its object and SHA-256: the hash chain) and how the part is to be sealed. The seal's outcome and the part's own
/// SHA-256 only exist after the page does (the signature covers the manifest that lists the page, the zip holds the
/// page), so the page names where they are rather than claiming them.
/// </summary>
/// <param name="Sealed">Custody is on for this part: a manifest.seal.json is written, signed or not.</param>
/// <param name="SignerKeyId">The key the part is to be signed with; null: stored unsigned.</param>
/// <param name="TimestampAuthority">Where the RFC 3161 token is to be asked for; null: none is.</param>
public sealed record PartCustody(int Part, PartLink? Previous, bool Sealed, string? SignerKeyId, string? TimestampAuthority)
{
    /// <summary>A part built without a sealer (the start-up warm-up, a test): nothing seals it.</summary>
    public static PartCustody Unsealed(int part, PartLink? previous = null) => new(part, previous, false, null, null);
}
