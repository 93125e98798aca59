using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Report;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The folder <c>get</c> makes for one bundle: <c>part-1/</c> … <c>part-N/</c>, each one part's files exactly as
/// its manifest lists them (plus its seal entries), and at the top <c>case.json</c>, the newest part's summary
/// (summary.json, .md, .html: it states the whole bundle's final state) and one <c>timeline.jsonl</c> merged from
/// the parts in time order. Every top-level file is derived from the parts alone, so <c>verify --extracted</c>
/// derives them again and compares byte for byte.
/// </summary>
public static class CaseFolder
{
    public const string FileName = "case.json";

    public const string Schema = "reverse-shell-evidence/case/v1";

    /// <summary>The newest part's files copied to the top, when the part has them.</summary>
    public static IReadOnlyList<string> SummaryFiles { get; } = [BundleLayout.Entries.Summary, BundleLayout.Entries.SummaryMarkdown, BundleLayout.Entries.SummaryHtml];

    public static string PartFolder(int part) => $"part-{part.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The part folders present, part-1 up to the first gap, and any other folder (reported as extra).</summary>
    public static (int Parts, IReadOnlyList<string> Others) Folders(string root)
    {
        var names = Directory.EnumerateDirectories(root).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var parts = 0;
        while (parts < BundleId.MaxPart && names.Contains(PartFolder(parts + 1)))
        {
            parts++;
        }

        return (parts, [.. names.Where(n => !Enumerable.Range(1, parts).Select(PartFolder).Contains(n)).Order(StringComparer.Ordinal)]);
    }

    /// <summary>
    /// Writes each top-level file the parts give (case.json, the newest part's summary files, the merged timeline) to
    /// the stream <paramref name="create"/> gives for its name, then disposes that stream: <c>get</c> creates the
    /// files, <c>verify --extracted</c> hashes what they must hold.
    /// </summary>
    public static async Task WriteTopAsync(string root, int parts, Func<string, Stream> create, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(create);
        await using (var file = create(FileName))
        {
            await file.WriteAsync(await DescribeAsync(root, parts, cancellationToken), cancellationToken);
        }

        foreach (var name in SummaryFiles)
        {
            var source = Path.Combine(root, PartFolder(parts), name);
            if (parts > 0 && File.Exists(source))
            {
                await using var input = File.OpenRead(source);
                await using var output = create(name);
                await input.CopyToAsync(output, cancellationToken);
            }
        }

        await using var timeline = create(BundleLayout.Entries.Timeline);
        await MergeTimelineAsync(root, parts, timeline, cancellationToken);
    }

    /// <summary>
    /// What <c>case.json</c> holds for parts 1..<paramref name="parts"/> of the folder: the bundle id, each part's
    /// manifest SHA-256 and seal, the bundle object and SHA-256 of every part a later part's manifest names (the
    /// chain; the newest part's bundle SHA-256 is vouched for by the store's index entry only, so get prints it and
    /// the folder does not claim it), and the state from the newest part's summary.
    /// </summary>
    private static async Task<byte[]> DescribeAsync(string root, int parts, CancellationToken cancellationToken)
    {
        var manifests = new List<(byte[]? Bytes, Manifest? Manifest)>();
        for (var part = 1; part <= parts; part++)
        {
            manifests.Add(await ReadJsonAsync<Manifest>(Path.Combine(root, PartFolder(part), BundleLayout.Entries.Manifest), cancellationToken));
        }

        var entries = new List<CasePart>();
        for (var part = 1; part <= parts; part++)
        {
            var (bytes, _) = manifests[part - 1];
            var (_, seal) = await ReadJsonAsync<SealRecord>(Path.Combine(root, PartFolder(part), BundleLayout.Entries.SealRecord), cancellationToken);
            var link = part < parts ? manifests[part].Manifest?.PreviousPart : null;
            entries.Add(new CasePart(
                part,
                PartFolder(part),
                bytes is null ? null : Convert.ToHexStringLower(SHA256.HashData(bytes)),
                link?.ObjectName,
                link?.Sha256,
                seal));
        }

        var state = await StateAsync(root, parts, cancellationToken);
        var file = new CaseFile(
            Schema,
            manifests.FirstOrDefault().Manifest?.BundleId,
            state?.State is { } known ? JsonSerializer.Serialize(known, EvidenceJson.Options).Trim('"') : parts == 0 ? null : "complete",
            parts,
            entries,
            parts == 0 ? null : PartFolder(parts),
            BundleLayout.Entries.Timeline);
        return EvidenceJson.Serialize(file);
    }

    /// <summary>The newest part's completion state from its summary.json; entries from before parts existed count as complete.</summary>
    public static async Task<CompletionState?> StateAsync(string root, int parts, CancellationToken cancellationToken)
    {
        if (parts == 0)
        {
            return null;
        }

        var (_, summary) = await ReadJsonAsync<EvidenceSummary>(Path.Combine(root, PartFolder(parts), BundleLayout.Entries.Summary), cancellationToken);
        return summary?.Completion;
    }

    /// <summary>
    /// Writes every part's timeline (timeline.jsonl, timeline-2.jsonl, … of each part, in order) as one file in time
    /// order; events of the same time keep the parts' order. A line whose time cannot be read goes last, unchanged.
    /// </summary>
    private static async Task MergeTimelineAsync(string root, int parts, Stream output, CancellationToken cancellationToken)
    {
        var lines = new List<(DateTimeOffset Time, long Order, string Line)>();
        long order = 0;
        for (var part = 1; part <= parts; part++)
        {
            for (var chunk = 1; File.Exists(Path.Combine(root, PartFolder(part), BundleLayout.Entries.TimelineChunk(chunk))); chunk++)
            {
                foreach (var line in await File.ReadAllLinesAsync(Path.Combine(root, PartFolder(part), BundleLayout.Entries.TimelineChunk(chunk)), cancellationToken))
                {
                    if (line.Length > 0)
                    {
                        lines.Add((TimeOf(line), order++, line));
                    }
                }
            }
        }

        await using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\n" };
        foreach (var (_, _, line) in lines.OrderBy(l => l.Time).ThenBy(l => l.Order))
        {
            await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
        }
    }

    private static DateTimeOffset TimeOf(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("datetime", out var value)
                && value.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                ? time
                : DateTimeOffset.MaxValue;
        }
        catch (JsonException)
        {
            return DateTimeOffset.MaxValue;
        }
    }

    /// <summary>A small JSON file's bytes and value; null value when absent, too large or unreadable (the part's own checks say which).</summary>
    internal static async Task<(byte[]? Bytes, T? Value)> ReadJsonAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        if (!File.Exists(path) || await ExtractedFolderVerifier.ReadBoundedAsync(path, EntryLimits.MaxJsonBytes, cancellationToken) is not { } bytes)
        {
            return (null, null);
        }

        try
        {
            return (bytes, EvidenceJson.Deserialize<T>(bytes));
        }
        catch (JsonException)
        {
            return (bytes, null);
        }
    }
}

/// <summary>case.json.</summary>
public sealed record CaseFile(string Schema, string? BundleId, string? State, int PartCount, IReadOnlyList<CasePart> Parts, string? Summary, string Timeline);

/// <summary>One part in case.json; <see cref="BundleObject"/> and <see cref="BundleSha256"/> as the next part's manifest names them.</summary>
public sealed record CasePart(int Part, string Folder, string? ManifestSha256, string? BundleObject, string? BundleSha256, SealRecord? Seal);
