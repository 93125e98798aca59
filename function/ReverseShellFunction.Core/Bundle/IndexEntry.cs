
namespace ReverseShellFunction.Bundle;

/// <summary>
/// One immutable object under <c>index/</c> per bundle: the bundle's <c>summary.json</c> unchanged, plus
/// where the bundle is and what its bytes hash to.
/// </summary>
public sealed record IndexEntry
{
    public const string CurrentSchema = "reverse-shell-evidence/index/v1";

    public string Schema { get; init; } = CurrentSchema;
    public required EvidenceSummary Summary { get; init; }
    public required BundleReference Bundle { get; init; }

    /// <summary>The manifest's seal (signature, key version, timestamp status), as in manifest.seal.json; null when unsealed.</summary>
    public SealRecord? Seal { get; init; }

    /// <summary>Which part of the bundle this entry indexes; null (part 1) in entries written before parts existed.</summary>
    public int? Part { get; init; }

    /// <summary>As in the part's manifest: part n−1's object and SHA-256; null in part 1.</summary>
    public PartLink? PreviousPart { get; init; }
}

/// <summary>The stored bundle object an index entry points at.</summary>
public sealed record BundleReference(string ObjectName, long Size, string Sha256);
