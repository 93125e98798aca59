using ReverseShellFunction.Bundle;
using ReverseShellFunction.Report;

namespace ReverseShellFunction.Audit;

/// <summary>
/// <c>get</c>: <c>verify ID</c> plus a case folder. Every part of the bundle runs through the very checks verify
/// runs, with the same trust (<see cref="StoreAudit.VerifyBundleAsync"/>: bytes, files, seal, chain, the checks
/// across parts, the give-up check); each part that passed its own checks is extracted into <c>part-N/</c> as it
/// goes, and the top-level files (<see cref="CaseFolder"/>) are written once all passed. If any check of any part
/// fails, or anything throws, nothing remains: the folder is removed (or emptied, if it existed empty).
/// </summary>
public sealed class CaseExtractor
{
    private readonly StoreAudit _audit;

    public CaseExtractor(StoreAudit audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        _audit = audit;
    }

    /// <exception cref="IOException"><paramref name="directory"/> exists and is not an empty folder.</exception>
    public async Task<CaseResult> ExtractAsync(BundleId id, string directory, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var root = Path.GetFullPath(directory);
        BundleExtractor.EnsureEmptyOrAbsent(root);
        var created = !Directory.Exists(root);
        var extracted = new Dictionary<int, CaseExtractedPart>();
        var kept = false;
        try
        {
            var results = await _audit.VerifyBundleAsync(
                id,
                async (part, bundle, log) =>
                {
                    var files = await BundleExtractor.ExtractSpoolAsync(part, bundle, Path.Combine(root, CaseFolder.PartFolder(part.Part)), log, progress, cancellationToken);
                    if (log.ProblemCount == 0)
                    {
                        extracted[part.Part] = new CaseExtractedPart(part, files.Count, bundle.Sha256, bundle.Size);
                    }
                },
                progress,
                cancellationToken);
            if (results.Count == 0 || !results.All(r => r.Verified) || extracted.Count != results.Count)
            {
                return new CaseResult(root, results, []);
            }

            await WriteTopAsync(root, results.Count, cancellationToken);
            kept = true;
            return new CaseResult(root, results, [.. extracted.Values.OrderBy(p => p.Id.Part)]);
        }
        finally
        {
            if (!kept)
            {
                BundleExtractor.Clean(root, created);
            }
        }
    }

    /// <summary>case.json, the newest part's summary files and the merged timeline, each created new.</summary>
    private static async Task WriteTopAsync(string root, int parts, CancellationToken cancellationToken)
    {
        await using (var file = new FileStream(Path.Combine(root, CaseFolder.FileName), FileMode.CreateNew))
        {
            await file.WriteAsync(await CaseFolder.DescribeAsync(root, parts, cancellationToken), cancellationToken);
        }

        foreach (var name in CaseFolder.SummaryFiles)
        {
            var source = Path.Combine(root, CaseFolder.PartFolder(parts), name);
            if (File.Exists(source))
            {
                File.Copy(source, Path.Combine(root, name), overwrite: false);
            }
        }

        await using var timeline = new FileStream(Path.Combine(root, BundleLayout.Entries.Timeline), FileMode.CreateNew);
        await CaseFolder.MergeTimelineAsync(root, parts, timeline, cancellationToken);
    }
}

/// <summary>What <c>get</c> did: every part's verdict, and the parts it kept (none unless all passed).</summary>
public sealed record CaseResult(string Directory, IReadOnlyList<BundleVerification> Verdicts, IReadOnlyList<CaseExtractedPart> Parts)
{
    public bool Succeeded => Parts.Count > 0;
}

/// <summary>One part kept in the case folder, with the SHA-256 of its bundle object as downloaded and checked.</summary>
public sealed record CaseExtractedPart(BundleId Id, int Files, string Sha256, long Size);
