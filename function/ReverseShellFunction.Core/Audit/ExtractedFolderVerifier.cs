using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Verifies a folder that <c>get</c> extracted, offline: every file manifest.json lists with its size and SHA-256,
/// no file it does not list (besides the seal entries), then the custody checks (signature, envelope, timestamp)
/// with the auditor's keys and certificates. There is no index entry here, so nothing is compared with one.
/// </summary>
public static class ExtractedFolderVerifier
{
    public static async Task<BundleVerification> VerifyAsync(string folder, CustodyTrust trust, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(trust);
        var root = Path.GetFullPath(folder);
        var manifestPath = Path.Combine(root, BundleLayout.Entries.Manifest);
        if (!File.Exists(manifestPath))
        {
            var missing = VerificationLog.ForObject(DisplayText.Visible(root));
            missing.Problem(ProblemKind.ManifestMissing, $"the folder has no {BundleLayout.Entries.Manifest}: not a folder that get extracted", BundleLayout.Entries.Manifest, BundleLayout.Entries.Manifest, "no file");
            missing.Check("manifest", CheckOutcome.Failed, $"no {BundleLayout.Entries.Manifest}");
            return missing.Result(null, DisplayText.Visible(root), null);
        }

        var manifestBytes = await ReadBoundedAsync(manifestPath, EntryLimits.MaxJsonBytes, cancellationToken);
        Manifest? manifest = null;
        string? error = null;
        try
        {
            manifest = manifestBytes is null ? null : EvidenceJson.Deserialize<Manifest>(manifestBytes);
            error = manifestBytes is null ? $"larger than {EntryLimits.MaxJsonBytes} bytes" : null;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
        }

        // Named by part, as the store's checks name it, so a problem says which part of a case it is in.
        var stem = manifest is not null && BundleId.TryParse(manifest.BundleId, out var parsed) && manifest.Part is null or (>= 1 and <= BundleId.MaxPart)
            ? parsed.WithPart(manifest.Part ?? 1).ObjectStem
            : null;
        var log = stem is not null ? VerificationLog.ForBundle(stem) : VerificationLog.ForObject(DisplayText.Visible(root));
        if (manifest is null)
        {
            log.Problem(ProblemKind.ManifestUnreadable, $"{BundleLayout.Entries.Manifest} is not a readable manifest: {DisplayText.Visible(error)}", BundleLayout.Entries.Manifest);
            log.Check("manifest", CheckOutcome.Failed, "unreadable");
        }
        else if (manifest.Files is null)
        {
            // Reported as the store's check reports it: a manifest without its list vouches for nothing.
            log.Problem(ProblemKind.ManifestUnreadable, $"{BundleLayout.Entries.Manifest} has no list of files (\"files\" is missing or null)", BundleLayout.Entries.Manifest);
            log.Check("manifest", CheckOutcome.Failed, "no list of files");
            manifest = null;
        }
        else
        {
            await CheckFilesAsync(root, manifest, log, cancellationToken);
        }

        var files = await SignatureCheck.ReadSealsAsync(
            name => File.Exists(Path.Combine(root, name)) ? ReadBoundedAsync(Path.Combine(root, name), EntryLimits.MaxSealBytes, cancellationToken) : null,
            log);
        await SignatureCheck.RunAsync(new SignatureCheck.SealInput(manifest is null ? null : manifestBytes, manifest, files, HasIndex: false, IndexSeal: null), trust, log, cancellationToken);
        return log.Result(stem ?? (manifest?.BundleId is { } id ? DisplayText.Visible(id, 100) : null), DisplayText.Visible(root), "n/a (extracted folder)");
    }

    private static async Task CheckFilesAsync(string root, Manifest manifest, VerificationLog log, CancellationToken cancellationToken)
    {
        var before = log.ProblemCount;
        var listed = new HashSet<string>([BundleLayout.Entries.Manifest, .. BundleLayout.Entries.Seals], StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            if (file?.Path is null || file.Sha256 is null || !BundlePaths.IsSafe(file.Path) || !listed.Add(file.Path))
            {
                log.Problem(ProblemKind.UnsafePath, $"the manifest lists an unsafe, empty or repeated path '{DisplayText.Visible(file?.Path)}'", DisplayText.Visible(file?.Path));
                continue;
            }

            var path = Path.Combine(root, file.Path.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(path))
            {
                log.Problem(ProblemKind.FileMissing, $"file {file.Path} is missing: the manifest lists it ({file.Size} bytes, sha256 {file.Sha256})", file.Path, $"{file.Size} bytes, sha256 {file.Sha256}", "no file");
                continue;
            }

            var (size, sha256) = await BundleWriter.HashFileAsync(path, cancellationToken);
            BundleContentCheck.Compare(file, new EntryDigest(size, sha256, false), log);
        }

        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!listed.Contains(relative))
            {
                log.Problem(ProblemKind.FileExtra, $"file {DisplayText.Visible(relative)} is in the folder but not in the manifest", DisplayText.Visible(relative));
            }
        }

        log.Outcome("files", before, $"{manifest.Files.Count} files, each with the size and SHA-256 its manifest entry gives");
    }

    /// <summary>A small file whole; null when it is larger than <paramref name="maxBytes"/>.</summary>
    internal static async Task<byte[]?> ReadBoundedAsync(string path, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16 * 1024, useAsync: true);
        if (stream.Length > maxBytes)
        {
            return null;
        }

        var bytes = new byte[stream.Length];
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }
}
