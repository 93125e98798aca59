namespace ReverseShellFunction.Audit;

/// <summary>
/// What <see cref="BundleExtractor"/> did: the files it wrote when every check passed, or the problems, in which
/// case nothing it extracted was kept.
/// </summary>
public sealed record ExtractionResult(string Directory, IReadOnlyList<string> Files, IReadOnlyList<VerificationProblem> Problems, string? Sha256)
{
    public bool Succeeded => Problems.Count == 0;
}
