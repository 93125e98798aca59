using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Audit;

/// <summary>
/// What <see cref="BundleExtractor"/> did: the files it wrote when every check passed, or the problems, in which
/// case nothing it extracted was kept.
/// </summary>
public sealed record ExtractionResult(IReadOnlyList<string> Files, IReadOnlyList<VerificationProblem> Problems, string? Sha256)
{
    public bool Succeeded => Problems.Count == 0;
}

/// <summary>What <c>get</c> did: every part's verdict, and the parts it kept (none unless all passed).</summary>
public sealed record CaseResult(IReadOnlyList<BundleVerification> Verdicts, IReadOnlyList<CaseExtractedPart> Parts)
{
    public bool Succeeded => Parts.Count > 0;
}

/// <summary>One part kept in the case folder, with the SHA-256 of its bundle object as downloaded and checked.</summary>
public sealed record CaseExtractedPart(BundleId Id, int Files, string Sha256, long Size);
