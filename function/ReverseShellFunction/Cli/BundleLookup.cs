using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary>
/// What a responder pastes into <c>show</c> or <c>get</c>: a whole bundle id, the short id <c>list</c> prints
/// (the end of its hash), the finding id from the alert, or the full finding name. Anything else is a usage
/// error, and the store is never asked for it. Ids other than a whole bundle id are matched against index
/// object names only; no entry is read. A finding with several events gives the newest, and says so.
/// </summary>
internal static class BundleLookup
{
    public const string Accepted = "a bundle id, the ID list prints, a finding id or a finding name";

    public static async Task<BundleId?> ResolveAsync(IEvidenceReader store, string? text, TextWriter error, CancellationToken cancellationToken)
    {
        if (BundleId.TryParse(text, out var exact))
        {
            return exact;
        }

        var match = Matcher(text) ?? throw new UsageException(
            $"'{AuditText.Clean(text, 100)}' is not {Accepted}: a bundle id is yyyyMMddTHHmmssfffZ-<finding id>-<16 hex digits>, as 'list --wide' prints it.");
        var (ids, _) = await StoreListing.ListIndexAsync(store, EventTimeRange.All, cancellationToken);
        // Parts of one bundle share its id: one match per bundle.
        var found = ids.Where(match).Select(id => id.Bundle).Distinct().ToList();
        if (found.Count > 1)
        {
            await error.WriteLineAsync($"note: {found.Count} bundles match; using the newest, {found[^1]}. The others: {string.Join(", ", found.Take(found.Count - 1).Reverse())}");
        }

        return found.Count == 0 ? null : found[^1];
    }

    private static Func<BundleId, bool>? Matcher(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 1000)
        {
            return null;
        }

        // The short id list prints is the end of the id's 16-hex-digit hash; at least 8 of them are taken.
        Func<BundleId, bool>? shortId = text.Length is >= 8 and <= 16 && text.All(char.IsAsciiHexDigitLower)
            ? id => id.Value.Length > 17 && id.Value[^17] == '-' && id.Value.EndsWith(text, StringComparison.Ordinal)
            : null;

        // A finding name ends in findings/<id>; the bundle id carries that id reduced to [A-Za-z0-9], at most 40.
        var findingId = text.Contains('/', StringComparison.Ordinal) && text.Contains("/findings/", StringComparison.Ordinal)
            ? text[(text.LastIndexOf('/') + 1)..]
            : text;
        if (findingId.Length is 0 or > 64 || !findingId.All(char.IsAsciiLetterOrDigit))
        {
            return shortId;
        }

        var slug = findingId.Length > 40 ? findingId[..40] : findingId;
        bool Finding(BundleId id) => id.Value.Split('-') is [_, var part, _] && part == slug;
        return shortId is null ? Finding : id => shortId(id) || Finding(id);
    }
}
