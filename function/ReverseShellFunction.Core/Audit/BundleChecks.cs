using System.Globalization;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The checks that look at a bundle's parts together, after each part was verified on its own: the same for
/// <c>verify ID</c>, <c>--all</c>, <c>--since</c>, <c>get</c> and <c>verify --extracted</c>. The parts of one
/// bundle are sealed by one deployment, so they agree on their signer: a part signed by another key, or unsigned
/// beside signed siblings, is what a rewritten part looks like, and fails even when no key was given to check the
/// signatures themselves. And a bundle whose newest part is still pending after its give-up time is missing parts.
/// </summary>
public static class BundleChecks
{
    /// <summary>The parts' verdicts (part 1 first) with the problems found across them added to the part they concern.</summary>
    /// <param name="newest">The newest part's completion state, when it was readable; null skips the give-up check.</param>
    /// <param name="now">The time the give-up check compares with.</param>
    /// <param name="newestFile">Where the newest part's completion state was read (its index entry, or its summary.json).</param>
    public static IReadOnlyList<BundleVerification> Apply(IReadOnlyList<BundleVerification> parts, CompletionState? newest, DateTimeOffset now, string? newestFile)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var results = parts.ToList();
        CheckSigners(results);
        if (results.Count > 0 && newest is { State: Completeness.Pending, GiveUpAt: { } giveUpAt } && now > giveUpAt)
        {
            results[^1] = PendingPastGiveUp(results[^1], newest, giveUpAt, newestFile);
        }

        return results;
    }

    /// <summary>The signer the bundle's parts use: that of the first signed part (the oldest, which later parts chain back to).</summary>
    private static void CheckSigners(List<BundleVerification> results)
    {
        if (results.FirstOrDefault(r => r.Seal is { HasSignature: true }) is not { Seal: { } reference } first)
        {
            return;
        }

        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            if (result.Seal is not { } seal || ReferenceEquals(result, first))
            {
                continue;
            }

            var subject = $"bundle {result.BundleId}";
            if (!seal.HasSignature && !result.Problems.Any(p => p.Kind == ProblemKind.NotSigned))
            {
                results[i] = Signer(result, new VerificationProblem(
                    ProblemKind.NotSigned,
                    BundleLayout.Entries.Signature,
                    $"a signature by {reference.KeyId ?? "an unnamed key"}, as part {PartOf(first)} has",
                    "none",
                    $"{subject}: the part is unsigned while part {PartOf(first)} of the same bundle is signed by {reference.KeyId ?? "an unnamed key"}: its seal was removed, or it was never sealed"));
            }
            else if (seal.HasSignature && !seal.Trusted && seal.Signer != reference.Signer)
            {
                // Both verified with trusted keys would be a rotation the auditor vouched for; otherwise a stranger's key.
                results[i] = Signer(result, new VerificationProblem(
                    ProblemKind.SignatureInvalid,
                    BundleLayout.Entries.Signature,
                    reference.KeyId ?? "the bundle's key",
                    seal.KeyId ?? "an unnamed key",
                    $"{subject}: the part is signed by {seal.KeyId ?? "an unnamed key"}, a key the bundle's other parts do not use (part {PartOf(first)} is signed by {reference.KeyId ?? "an unnamed key"}): it was re-signed by someone else"));
            }
        }
    }

    private static string PartOf(BundleVerification result) =>
        result.BundleId is { } id && Bundle.BundleId.TryParse(id, out var parsed) ? parsed.Part.ToString(CultureInfo.InvariantCulture) : "?";

    private static BundleVerification Signer(BundleVerification result, VerificationProblem problem) =>
        With(result, problem, new VerificationCheck("signer", CheckOutcome.Failed, problem.Found ?? ""));

    /// <summary>The part's verdict with one more problem, and the failed check that found it.</summary>
    internal static BundleVerification With(BundleVerification result, VerificationProblem problem, VerificationCheck check) => result with
    {
        Problems = [.. result.Problems, problem],
        Checks = [.. result.Checks, check],
    };

    private static BundleVerification PendingPastGiveUp(BundleVerification result, CompletionState pending, DateTimeOffset giveUpAt, string? file) => With(
        result,
        new VerificationProblem(
            ProblemKind.PendingPastGiveUp,
            file,
            $"part {pending.NextPart} by {giveUpAt:yyyy-MM-dd'T'HH:mm:ss'Z'}",
            "no later part",
            $"bundle {result.BundleId}: still pending (part {pending.NextPart} was due {pending.Due:yyyy-MM-dd'T'HH:mm:ss'Z'}) after its give-up time {giveUpAt:yyyy-MM-dd'T'HH:mm:ss'Z'}: later parts are missing, or no completion ran (is serve, complete or the Cloud Tasks queue running?)"),
        new VerificationCheck("completion", CheckOutcome.Failed, "pending past its give-up time"));
}
