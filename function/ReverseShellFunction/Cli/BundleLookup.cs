using System.IO.Compression;
using System.Text.Json;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary>
/// What a responder pastes into <c>show</c>, <c>get</c> or <c>verify</c>: a whole bundle id, the short id
/// <c>list</c> prints (the end of its hash, in any case), the finding id from the alert, the full finding name, or
/// the path of a bundle zip (its file name, or else its manifest, names the bundle). Anything else is a usage
/// error, and the store is never asked for it. Ids other than a whole bundle id are matched against index object
/// names only; no entry is read. A finding with several events gives the newest, and says so.
/// </summary>
internal static class BundleLookup
{
    public const string Accepted = "a bundle id, the ID list prints, a finding id, a finding name or a bundle zip's path";

    /// <summary>At most this much of a zip's manifest.json is read to learn its bundle id.</summary>
    private const int MaxManifestBytes = 4 * 1024 * 1024;

    public static async Task<BundleId?> ResolveAsync(IEvidenceReader store, string? text, TextWriter error, CancellationToken cancellationToken)
    {
        if (BundleId.TryParse(text, out var exact))
        {
            return exact;
        }

        if (ZipPath(text) is { } zip)
        {
            return await Task.Run(() => FromZip(zip), cancellationToken);
        }

        var match = Matcher(text) ?? throw new UsageException(
            $"'{DisplayText.Visible(text, 100)}' is not {Accepted}: a bundle id is yyyyMMddTHHmmssfffZ-<finding id>-<16 hex digits>; list prints the last 12 of those hex digits as ID.");
        var (ids, _) = await StoreListing.ListIndexAsync(store, EventTimeRange.All, cancellationToken);
        // Parts of one bundle share its id: one match per bundle.
        var found = ids.Where(match).Select(id => id.Bundle).Distinct().ToList();
        if (found.Count > 1)
        {
            await error.WriteLineAsync($"note: {found.Count} bundles match; using the newest, {found[^1]}. The others: {string.Join(", ", found.Take(found.Count - 1).Reverse())}");
        }

        return found.Count == 0 ? null : found[^1];
    }

    /// <summary>A name ending in .zip: the responder means a bundle zip (any other path stays a usage error).</summary>
    private static string? ZipPath(string? text) =>
        text is { Length: > 4 and <= 4096 } && text.EndsWith(BundleLayout.BundleExtension, StringComparison.OrdinalIgnoreCase) ? text : null;

    /// <summary>
    /// The bundle a zip belongs to: its file name as the store names it (<c>ID.zip</c>, <c>ID.part-N.zip</c>),
    /// else its <c>manifest.json</c>'s <c>bundleId</c> (a renamed download). A file that is neither is a usage error.
    /// </summary>
    private static BundleId FromZip(string path)
    {
        var shown = DisplayText.Visible(path, 200);
        var name = Path.GetFileName(path);
        if (name.EndsWith(BundleLayout.BundleExtension, StringComparison.OrdinalIgnoreCase) && BundleId.TryParseStem(name[..^BundleLayout.BundleExtension.Length], out var named))
        {
            return named.Bundle;
        }

        if (!File.Exists(path))
        {
            throw new UsageException($"{shown}: no such file.");
        }

        try
        {
            using var zip = ZipFile.OpenRead(path);
            var manifest = zip.GetEntry(BundleLayout.Entries.Manifest);
            if (manifest is null || manifest.Length > MaxManifestBytes)
            {
                throw new UsageException($"{shown} is not a bundle zip: it has no {BundleLayout.Entries.Manifest}.");
            }

            using var content = manifest.Open();
            using var json = JsonDocument.Parse(content);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("bundleId", out var value)
                && value.ValueKind == JsonValueKind.String
                && BundleId.TryParse(value.GetString(), out var id))
            {
                return id;
            }

            throw new UsageException($"{shown} is not a bundle zip: its {BundleLayout.Entries.Manifest} names no bundle id.");
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{shown} is not a readable bundle zip: {DisplayText.Visible(ex.Message, 200)}");
        }
    }

    private static Func<BundleId, bool>? Matcher(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 1000)
        {
            return null;
        }

        // The short id list prints is the end of the id's 16-hex-digit hash; at least 8 of them are taken, in any case.
        var lower = text.ToLowerInvariant();
        Func<BundleId, bool>? shortId = text.Length is >= 8 and <= 16 && text.All(char.IsAsciiHexDigit)
            ? id => id.Value.Length > 17 && id.Value[^17] == '-' && id.Value.EndsWith(lower, StringComparison.Ordinal)
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
