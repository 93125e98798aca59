using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The checks inside the zip: every listed file's size and SHA-256, then the manifest and summary.json
/// against the index entry (bundle id, finding name, event time, collectors' statuses, whole summary).
/// </summary>
internal static class BundleContentCheck
{
    public static async Task RunAsync(StoredPart bundle, StoredIndexEntry? index, Custody.CustodyTrust trust, VerificationLog log, CancellationToken cancellationToken)
    {
        System.IO.Compression.ZipArchive zip;
        try
        {
            zip = bundle.OpenZip();
        }
        catch (InvalidDataException ex)
        {
            log.Problem(ProblemKind.NotAZip, $"the bundle is not a readable zip: {DisplayText.Visible(ex.Message)}", expected: "a zip", found: "unreadable bytes");
            log.Check("zip-entries", CheckOutcome.Failed, "not a zip");
            return;
        }

        using (zip)
        {
            var inventory = await BundleInventory.TakeAsync(zip, log, cancellationToken);

            // Inflating the files is the long step and runs on one thread; the other checks (JSON, the seal) cost
            // mostly first-call compilation in a short-lived CLI. So the files are inflated from a second reader of
            // the same bytes while the rest runs here, each into its own branch, appended in the order the checks
            // had when they ran one after the other.
            var files = log.Branch();
            var positions = inventory.Files.Select(f => zip.Entries.IndexOf(f.Entry)).ToArray();
            var filesDone = Task.Run(() => CheckFilesAsync(bundle, inventory, positions, files, cancellationToken), cancellationToken);
            var rest = log.Branch();
            try
            {
                CheckManifestAgainstIndex(inventory.Manifest, index, rest);
                var summary = rest.Branch();
                var readable = await CheckSummaryAsync(inventory, index, summary, cancellationToken);
                await filesDone;
                AppendSummary(rest, summary, files, readable);
                var seals = await SignatureCheck.ReadSealsAsync(
                    name => inventory.Entries.TryGetValue(name, out var entry) ? EntryDigest.ReadSmallAsync(entry, EntryLimits.MaxSealBytes, cancellationToken) : null,
                    rest);
                await SignatureCheck.RunAsync(new SignatureCheck.SealInput(inventory.ManifestBytes, inventory.Manifest, seals, index is not null, index?.Entry.Seal), trust, rest, cancellationToken);
            }
            finally
            {
                // Never leave the other thread inflating from a bundle the caller is about to close.
                await filesDone.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            log.Append(files);
            log.Append(rest);
        }
    }

    /// <summary>
    /// The summary check's result, unless the file check already reported summary.json unreadable: a second
    /// message for the same broken entry would only add noise.
    /// </summary>
    private static void AppendSummary(VerificationLog rest, VerificationLog summary, VerificationLog files, bool checkedSummary)
    {
        if (checkedSummary && files.Problems.Any(p => p.Kind == ProblemKind.FileUnreadable && p.File == BundleLayout.Entries.Summary))
        {
            rest.Check("summary", CheckOutcome.Skipped, $"{BundleLayout.Entries.Summary} unreadable");
            return;
        }

        rest.Append(summary);
    }

    /// <param name="positions">Each listed file's place in the zip's central directory, in the order of <see cref="BundleInventory.Files"/>.</param>
    private static async Task CheckFilesAsync(StoredPart bundle, BundleInventory inventory, int[] positions, VerificationLog log, CancellationToken cancellationToken)
    {
        if (inventory.Manifest is null)
        {
            log.Check("files", CheckOutcome.Skipped, "no readable manifest");
            return;
        }

        var before = log.ProblemCount;
        using var second = bundle.OpenSecondZip();

        // The same central directory read again from the same bytes: entry i here is entry i of the inventory's zip.
        var same = second.Entries;
        for (var i = 0; i < positions.Length; i++)
        {
            var (file, entry) = inventory.Files[i];
            var position = positions[i];
            try
            {
                var twin = position >= 0 && position < same.Count && same[position].FullName == entry.FullName
                    ? same[position]
                    : throw new InvalidDataException($"the zip's central directory read differently the second time (entry {position})");
                var digest = await EntryDigest.ComputeAsync(twin, file.Size, null, cancellationToken);
                Compare(file, digest, log);
            }
            catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or IOException)
            {
                // NotSupportedException: a flipped byte can name a compression method that does not exist.
                log.Problem(ProblemKind.FileUnreadable, $"file {file.Path} could not be read from the zip: {DisplayText.Visible(ex.Message)}", file.Path, $"sha256 {file.Sha256}", "unreadable");
            }
        }

        log.Outcome("files", before, $"{inventory.Files.Count} files, each with the size and SHA-256 its manifest entry gives");
    }

    /// <summary>Shared with <c>get</c>, which checks each file as it writes it.</summary>
    internal static void Compare(ManifestFile file, EntryDigest digest, VerificationLog log)
    {
        if (digest.LongerThanLimit)
        {
            log.Problem(ProblemKind.FileSizeMismatch, $"file {file.Path} has more than the {file.Size} bytes the manifest says", file.Path, $"{file.Size}", $"more than {file.Size}");
            return;
        }

        if (digest.Size != file.Size)
        {
            log.Problem(ProblemKind.FileSizeMismatch, $"file {file.Path} has {digest.Size} bytes, the manifest says {file.Size}", file.Path, $"{file.Size}", $"{digest.Size}");
        }

        if (!string.Equals(digest.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            log.Problem(ProblemKind.FileHashMismatch, $"file {file.Path} hashes to {digest.Sha256}, the manifest says {file.Sha256}", file.Path, file.Sha256, digest.Sha256);
        }
    }

    private static void CheckManifestAgainstIndex(Manifest? manifest, StoredIndexEntry? index, VerificationLog log)
    {
        if (manifest is null || index is null)
        {
            log.Check("index-vs-manifest", CheckOutcome.Skipped, manifest is null ? "no readable manifest" : "no readable index entry");
            return;
        }

        var before = log.ProblemCount;
        var summary = index.Entry.Summary;
        Agree(log, "bundle id", summary.BundleId, manifest.BundleId);
        Agree(log, "finding name", summary.Finding.Name, manifest.FindingName);
        Agree(log, "event time", Time(summary.Finding.EventTime), Time(manifest.EventTime));
        Agree(log, "part", $"{index.Part}", $"{manifest.Part ?? 1}");
        Agree(
            log,
            "previous part",
            index.Entry.PreviousPart is { } a ? $"{a.Part} {a.ObjectName} {a.Sha256}" : "none",
            manifest.PreviousPart is { } b ? $"{b.Part} {b.ObjectName} {b.Sha256}" : "none");
        Agree(
            log,
            "collectors' statuses",
            // The summary states every collector of the bundle so far; this part's are those it ran.
            string.Join(", ", summary.Collectors.Where(c => c.Part is null || c.Part == index.Part).Select(c => $"{c.Name}={JsonName(c.Status)}")),
            string.Join(", ", manifest.Collectors.Select(c => $"{c.Name}={JsonName(c.Status)}")));
        log.Outcome("index-vs-manifest", before, "bundle id, finding name, event time and collectors' statuses agree");
    }

    /// <returns>Whether summary.json was read and checked (false when it is missing or there is no index entry to hold it against).</returns>
    private static async Task<bool> CheckSummaryAsync(BundleInventory inventory, StoredIndexEntry? index, VerificationLog log, CancellationToken cancellationToken)
    {
        if (!inventory.Entries.TryGetValue(BundleLayout.Entries.Summary, out var entry))
        {
            log.Problem(ProblemKind.SummaryMissing, $"the zip has no {BundleLayout.Entries.Summary}", BundleLayout.Entries.Summary, BundleLayout.Entries.Summary, "no entry");
            log.Check("summary", CheckOutcome.Failed, $"no {BundleLayout.Entries.Summary}");
            return false;
        }

        if (index is null || !index.Json.TryGetProperty("summary", out var indexed))
        {
            log.Check("summary", CheckOutcome.Skipped, "no readable index entry");
            return false;
        }

        var before = log.ProblemCount;
        try
        {
            var bytes = await EntryDigest.ReadSmallAsync(entry, EntryLimits.MaxJsonBytes, cancellationToken)
                ?? throw new InvalidDataException($"larger than {EntryLimits.MaxJsonBytes} bytes");
            using var document = JsonDocument.Parse(bytes);
            if (JsonDifference.Find(indexed, document.RootElement) is var (path, expected, found))
            {
                log.Problem(
                    ProblemKind.SummaryMismatch,
                    $"the index entry's summary differs from {BundleLayout.Entries.Summary} at {path}: the index entry has {expected}, {BundleLayout.Entries.Summary} has {found}",
                    BundleLayout.Entries.Summary,
                    expected,
                    found);
            }

        }
        catch (JsonException ex)
        {
            log.Problem(ProblemKind.FileUnreadable, $"{BundleLayout.Entries.Summary} is not valid JSON: {DisplayText.Visible(ex.Message)}", BundleLayout.Entries.Summary);
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or IOException)
        {
            log.Problem(ProblemKind.FileUnreadable, $"{BundleLayout.Entries.Summary} could not be read from the zip: {DisplayText.Visible(ex.Message)}", BundleLayout.Entries.Summary);
        }

        log.Outcome("summary", before, $"the index entry's summary equals {BundleLayout.Entries.Summary}");
        return true;
    }

    private static void Agree(VerificationLog log, string field, string indexValue, string manifestValue)
    {
        if (!string.Equals(indexValue, manifestValue, StringComparison.Ordinal))
        {
            log.Problem(
                ProblemKind.ManifestDisagrees,
                $"the index entry and {BundleLayout.Entries.Manifest} disagree on the {field}: the index entry has '{DisplayText.Visible(indexValue)}', the manifest '{DisplayText.Visible(manifestValue)}'",
                BundleLayout.Entries.Manifest,
                DisplayText.Visible(indexValue),
                DisplayText.Visible(manifestValue));
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string JsonName<T>(T value) => JsonSerializer.Serialize(value, EvidenceJson.Options).Trim('"');
}
