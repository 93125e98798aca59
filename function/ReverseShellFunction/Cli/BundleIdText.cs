using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Cli;

/// <summary>Bundle ids typed or pasted by a person: anything that is not exactly an id is a usage error.</summary>
internal static class BundleIdText
{
    public static BundleId Parse(string? text) =>
        BundleId.TryParse(text, out var id)
            ? id
            : throw new UsageException(
                $"'{AuditText.Clean(text, 100)}' is not a bundle id: expected yyyyMMddTHHmmssfffZ-<finding id>-<16 hex digits>, as 'list' prints it.");
}
