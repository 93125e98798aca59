using System.IO.Compression;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// A zip's entries held against its manifest, before any content is hashed: unsafe or duplicate names, a
/// missing or unreadable manifest, files the manifest lists but the zip lacks, and files it does not list.
/// <c>get</c> extracts nothing unless this is clean; <c>verify</c> reports it and hashes what is listed.
/// </summary>
/// <param name="ManifestBytes">manifest.json's exact bytes (what the seal covers), when it read as a manifest.</param>
/// <param name="Files">Files both listed in the manifest and present in the zip, in manifest order.</param>
/// <param name="Entries">Entries with safe, unique names, by name; manifest.json included.</param>
internal sealed record BundleInventory(byte[]? ManifestBytes, Manifest? Manifest, IReadOnlyList<(ManifestFile File, ZipArchiveEntry Entry)> Files, IReadOnlyDictionary<string, ZipArchiveEntry> Entries)
{
    // Unix file type bits in the upper half of the external attributes; 0xA000 is a symbolic link.
    private const int UnixTypeMask = 0xF000;
    private const int UnixSymlink = 0xA000;

    internal static async Task<BundleInventory> TakeAsync(ZipArchive zip, VerificationLog log, CancellationToken cancellationToken)
    {
        var before = log.ProblemCount;
        Dictionary<string, ZipArchiveEntry> entries;
        try
        {
            // The central directory is read here, lazily: a damaged one throws now, not when the zip was opened.
            entries = SafeEntries(zip, log);
        }
        catch (InvalidDataException ex)
        {
            log.Problem(ProblemKind.NotAZip, $"the zip's central directory is unreadable: {DisplayText.Visible(ex.Message)}", expected: "a zip", found: "a damaged central directory");
            log.Check("zip-entries", CheckOutcome.Failed, "unreadable central directory");
            return new BundleInventory(null, null, [], new Dictionary<string, ZipArchiveEntry>());
        }

        log.Outcome("zip-entries", before, $"{entries.Count} entries, each a plain file with a safe relative path");

        before = log.ProblemCount;
        var (bytes, manifest) = await ReadManifestAsync(entries, log, cancellationToken);
        if (manifest is null)
        {
            log.Outcome("manifest", before, $"{BundleLayout.Entries.Manifest} present and readable");
            return new BundleInventory(null, null, [], entries);
        }

        var files = new List<(ManifestFile, ZipArchiveEntry)>();
        // The seal entries are computed from the manifest and cannot be listed in it; SignatureCheck checks them.
        var listed = new HashSet<string>([BundleLayout.Entries.Manifest, .. BundleLayout.Entries.Seals], StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            if (file?.Path is null || file.Sha256 is null || !BundlePaths.IsSafe(file.Path) || file.Path == BundleLayout.Entries.Manifest)
            {
                log.Problem(ProblemKind.UnsafePath, $"the manifest lists an unsafe or incomplete entry, path '{DisplayText.Visible(file?.Path)}'", file: DisplayText.Visible(file?.Path));
            }
            else if (!listed.Add(file.Path))
            {
                log.Problem(ProblemKind.DuplicateEntry, $"the manifest lists file {file.Path} twice", file: file.Path);
            }
            else if (!entries.TryGetValue(file.Path, out var entry))
            {
                log.Problem(
                    ProblemKind.FileMissing,
                    $"file {file.Path} is missing: the manifest lists it ({file.Size} bytes, sha256 {file.Sha256}) but the zip has no such entry",
                    file.Path,
                    expected: $"{file.Size} bytes, sha256 {file.Sha256}",
                    found: "no entry");
            }
            else if (EntryLimits.Refuses(file.Size, entry.CompressedLength))
            {
                log.Problem(
                    ProblemKind.EntryTooLarge,
                    $"file {file.Path} declares {file.Size} bytes from {entry.CompressedLength} stored: beyond {EntryLimits.MaxEntryBytes} bytes or {EntryLimits.MaxCompressionRatio} times its stored size, so it is not inflated",
                    file.Path,
                    expected: $"at most {EntryLimits.MaxCompressionRatio}x its {entry.CompressedLength} stored bytes",
                    found: $"{file.Size} bytes");
            }
            else
            {
                files.Add((file, entry));
            }
        }

        foreach (var name in entries.Keys.Where(n => !listed.Contains(n)).Order(StringComparer.Ordinal))
        {
            log.Problem(ProblemKind.FileExtra, $"file {name} is in the zip but not in the manifest", name, expected: "not present", found: $"{entries[name].Length} bytes");
        }

        log.Outcome("manifest", before, $"{BundleLayout.Entries.Manifest} lists exactly the {manifest.Files.Count} other files of the zip");
        return new BundleInventory(bytes, manifest, files, entries);
    }

    private static Dictionary<string, ZipArchiveEntry> SafeEntries(ZipArchive zip, VerificationLog log)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            var name = DisplayText.Visible(entry.FullName);
            if (!BundlePaths.IsSafe(entry.FullName))
            {
                log.Problem(ProblemKind.UnsafePath, $"entry '{name}' has an unsafe path (absolute, '..', a folder, or characters outside A-Z a-z 0-9 . _ -)", file: name);
            }
            else if (((entry.ExternalAttributes >> 16) & UnixTypeMask) == UnixSymlink)
            {
                log.Problem(ProblemKind.UnsafePath, $"entry '{name}' is a symbolic link", file: name);
            }
            else if (!entries.TryAdd(entry.FullName, entry))
            {
                log.Problem(ProblemKind.DuplicateEntry, $"entry '{name}' appears twice in the zip", file: name);
            }
        }

        return entries;
    }

    private static async Task<(byte[]? Bytes, Manifest? Manifest)> ReadManifestAsync(Dictionary<string, ZipArchiveEntry> entries, VerificationLog log, CancellationToken cancellationToken)
    {
        if (!entries.TryGetValue(BundleLayout.Entries.Manifest, out var entry))
        {
            log.Problem(ProblemKind.ManifestMissing, $"the zip has no {BundleLayout.Entries.Manifest}", BundleLayout.Entries.Manifest, expected: BundleLayout.Entries.Manifest, found: "no entry");
            return (null, null);
        }

        try
        {
            var bytes = await EntryDigest.ReadSmallAsync(entry, EntryLimits.MaxJsonBytes, cancellationToken);
            if (bytes is null)
            {
                log.Problem(ProblemKind.ManifestUnreadable, $"{BundleLayout.Entries.Manifest} is larger than {EntryLimits.MaxJsonBytes} bytes", BundleLayout.Entries.Manifest);
                return (null, null);
            }

            return (bytes, StoredShape.Read<Manifest>(bytes, BundleLayout.Entries.Manifest));
        }
        catch (InvalidDataException ex)
        {
            log.Problem(ProblemKind.ManifestUnreadable, $"{BundleLayout.Entries.Manifest} is not a readable manifest: {DisplayText.Visible(ex.Message)}", BundleLayout.Entries.Manifest);
            return (null, null);
        }
    }
}
