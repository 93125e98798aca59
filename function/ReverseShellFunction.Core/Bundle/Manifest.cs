using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// <c>manifest.json</c>: every other file of the bundle with its size and SHA-256, and how each collector
/// did. An auditor checks a bundle against it.
/// </summary>
public sealed record Manifest
{
    public const string CurrentSchema = "reverse-shell-evidence/manifest/v1";

    public string Schema { get; init; } = CurrentSchema;
    public required string BundleId { get; init; }
    public required string FindingName { get; init; }
    public required DateTimeOffset EventTime { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required ToolInfo Tool { get; init; }
    public required IReadOnlyList<ManifestFile> Files { get; init; }
    public required IReadOnlyList<CollectorReport> Collectors { get; init; }

    /// <summary>Who seals this part and what protected the store at sealing; null in parts made before sealing existed.</summary>
    public ManifestCustody? Custody { get; init; }

    /// <summary>Which part of the bundle this is; null (part 1) in parts made before parts existed.</summary>
    public int? Part { get; init; }

    /// <summary>Part n−1's object and SHA-256 (the hash chain); null in part 1.</summary>
    public PartLink? PreviousPart { get; init; }
}

/// <summary>One file of a bundle.</summary>
public sealed record ManifestFile(string Path, long Size, string Sha256);

/// <summary>The program that made a bundle.</summary>
public sealed record ToolInfo(string Name, string Version);
