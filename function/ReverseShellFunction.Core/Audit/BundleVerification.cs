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
}
