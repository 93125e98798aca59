namespace ReverseShellFunction.Audit;

/// <summary>Collects the checks and problems of one subject; every problem message starts with the subject.</summary>
internal sealed class VerificationLog(string subject)
{
    private readonly List<VerificationCheck> _checks = [];
    private readonly List<VerificationProblem> _problems = [];

    public int ProblemCount => _problems.Count;

    /// <summary>What the part's seal says about who signed it, for the checks across a bundle's parts.</summary>
    public PartSeal? Seal { get; set; }

    /// <summary>Checks that apply to this part but could not be done with what the auditor gave (a key, a TSA certificate).</summary>
    public List<string> NotChecked { get; } = [];

    public IReadOnlyList<VerificationProblem> Problems => _problems;

    public static VerificationLog ForBundle(string bundleId) => new($"bundle {bundleId}");

    public static VerificationLog ForObject(string objectName) => new($"object {objectName}");

    /// <summary>An empty log for the same subject, for checks that run while others are still going; see <see cref="Append"/>.</summary>
    public VerificationLog Branch() => new(subject);

    /// <summary>Adds a branch's checks and problems after this log's own, so the report keeps one order however the work overlapped.</summary>
    public void Append(VerificationLog branch)
    {
        ArgumentNullException.ThrowIfNull(branch);
        _checks.AddRange(branch._checks);
        _problems.AddRange(branch._problems);
        Seal ??= branch.Seal;
        NotChecked.AddRange(branch.NotChecked);
    }

    public void Check(string name, CheckOutcome outcome, string detail) => _checks.Add(new VerificationCheck(name, outcome, detail));

    /// <summary>Records a problem; <paramref name="text"/> says what, the log adds which bundle.</summary>
    public void Problem(ProblemKind kind, string text, string? file = null, string? expected = null, string? found = null) =>
        _problems.Add(new VerificationProblem(kind, file, expected, found, $"{subject}: {text}"));

    /// <summary>Passed when no problem was added since <paramref name="problemsBefore"/>, else failed.</summary>
    public void Outcome(string name, int problemsBefore, string detail) =>
        Check(name, _problems.Count == problemsBefore ? CheckOutcome.Passed : CheckOutcome.Failed, detail);

    public BundleVerification Result(string? bundleId, string? objectName, string? retention) => new()
    {
        BundleId = bundleId,
        ObjectName = objectName,
        Retention = retention,
        Checks = [.. _checks],
        Problems = [.. _problems],
        Seal = Seal,
        NotChecked = [.. NotChecked],
    };
}
