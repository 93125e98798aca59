using ReverseShellFunction.Audit;

namespace ReverseShellFunction.Cli;

/// <summary>
/// Tallies the <c>signature</c> check over a verify run, so a store that is unsigned, or only partly signed, is
/// said in one line even when every hash verified.
/// </summary>
internal sealed class SealCounts
{
    private int _verified;
    private int _unsigned;
    private int _unchecked;
    private int _failed;

    public void Add(BundleVerification result)
    {
        if (result.Checks.FirstOrDefault(c => c.Name == "signature") is not { } check)
        {
            return;
        }

        var unsigned = check.Detail.StartsWith("UNSIGNED", StringComparison.Ordinal);
        switch (check.Outcome)
        {
            case CheckOutcome.Passed:
                _verified++;
                break;
            case CheckOutcome.Failed when unsigned:
            case CheckOutcome.Skipped when unsigned:
                _unsigned++;
                break;
            case CheckOutcome.Skipped:
                _unchecked++;
                break;
            default:
                _failed++;
                break;
        }
    }

    /// <summary>Null when every part's signature verified (or nothing was looked at).</summary>
    public string? Summary()
    {
        var total = _verified + _unsigned + _unchecked + _failed;
        if (total == 0 || _verified == total)
        {
            return total == 0 ? null : $"custody: all {total} part(s) signed and verified.";
        }

        var state = _unsigned == total ? "the store is UNSIGNED"
            : _unsigned > 0 ? "the store is PARTLY SIGNED"
            : "not every signature verified";
        return $"warning: custody: {state}: {_verified} signed and verified, {_unsigned} unsigned, {_unchecked} signed but not checked (no public key), {_failed} failed, of {total} part(s).";
    }
}
