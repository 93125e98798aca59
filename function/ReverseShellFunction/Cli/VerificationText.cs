using ReverseShellFunction.Audit;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>verify</c>'s readable output: one line per bundle with the verdict and the hash checks, then one
/// indented line per problem, each a full sentence naming bundle, file, expected and found.
/// </summary>
internal static class VerificationText
{
    public static async Task WriteAsync(TextWriter output, BundleVerification result, CancellationToken cancellationToken)
    {
        var subject = result.BundleId ?? result.ObjectName ?? "?";
        var verdict = result.Verified ? "ok    " : "FAILED";
        await output.WriteLineAsync($"{verdict}  {subject}  {Brief(result)}".AsMemory(), cancellationToken);
        foreach (var problem in result.Problems)
        {
            await output.WriteLineAsync($"        - {problem.Message}".AsMemory(), cancellationToken);
        }
    }

    public static string Footer(int verified, int failed, string location) =>
        verified + failed == 0
            ? $"Nothing to verify: {location} holds no bundle and no index entry (in the range given)."
            : failed == 0
            ? $"{verified} bundle(s) verified in {location}."
            : $"{failed} of {verified + failed} failed verification in {location}.";

    /// <summary>The checks worth seeing on an ok line: the two hash sources, the file count and the retention state.</summary>
    private static string Brief(BundleVerification result)
    {
        var parts = new List<string>();
        foreach (var name in (string[])["sha256-index", "sha256-metadata", "files", "signature", "timestamp"])
        {
            if (result.Checks.FirstOrDefault(c => c.Name == name) is { } check)
            {
                parts.Add($"{name} {JsonOutput.Line(check.Outcome).Trim('"')}");
            }
        }

        if (result.Retention is not null)
        {
            parts.Add($"retention: {DisplayText.Visible(result.Retention, 200)}");
        }

        return string.Join("; ", parts);
    }
}
