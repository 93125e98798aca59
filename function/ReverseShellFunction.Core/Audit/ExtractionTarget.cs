using ReverseShellFunction.Bundle;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Writes a checked inventory's files under one folder, hashing each as it is written. Owns the cleanup: when
/// anything mismatches or fails, every file and folder it created is deleted again.
/// </summary>
internal sealed class ExtractionTarget
{
    private readonly string _root;
    private readonly bool _createdRoot;

    public ExtractionTarget(string root)
    {
        _root = root;
        _createdRoot = !Directory.Exists(root);
    }

    public async Task<IReadOnlyList<string>> WriteAllAsync(BundleInventory inventory, VerificationLog log, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var written = new List<string>();
        var total = inventory.Files.Sum(f => f.File.Size);
        long done = 0;
        try
        {
            Directory.CreateDirectory(_root);
            foreach (var (file, entry) in inventory.Files)
            {
                await using (var output = Create(file.Path))
                {
                    written.Add(file.Path);
                    var digest = await EntryDigest.ComputeAsync(entry, file.Size, output, cancellationToken);
                    BundleContentCheck.Compare(file, digest, log);
                }

                done += file.Size;
                progress?.Report(new TransferProgress("extracting", done, total));
            }

            // The manifest is not listed in itself; it was read and parsed already, so its size is bounded.
            await using (var output = Create(Manifest.FileName))
            {
                written.Add(Manifest.FileName);
                await EntryDigest.ComputeAsync(inventory.Entries[Manifest.FileName], BundleInventory.MaxJsonBytes, output, cancellationToken);
            }

            // The seal entries travel with the files, so the folder verifies offline (verify --extracted).
            foreach (var name in SealFiles.All.Where(inventory.Entries.ContainsKey))
            {
                await using var output = Create(name);
                written.Add(name);
                await EntryDigest.ComputeAsync(inventory.Entries[name], SealFiles.MaxBytes, output, cancellationToken);
            }
        }
        catch
        {
            Clean();
            throw;
        }

        if (log.ProblemCount > 0)
        {
            Clean();
            return [];
        }

        return written;
    }

    private FileStream Create(string bundlePath)
    {
        // BundlePaths.IsSafe already held; this is the last line of defence against leaving the folder.
        var path = Path.GetFullPath(Path.Combine(_root, bundlePath.Replace('/', Path.DirectorySeparatorChar)));
        if (!BundlePaths.IsSafe(bundlePath) || !path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{DisplayText.Visible(bundlePath)}' would be written outside {_root}.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
    }

    /// <summary>The folder was absent or empty before, so everything in it now is ours to delete.</summary>
    private void Clean()
    {
        if (!Directory.Exists(_root))
        {
            return;
        }

        if (_createdRoot)
        {
            Directory.Delete(_root, recursive: true);
            return;
        }

        foreach (var directory in Directory.EnumerateDirectories(_root))
        {
            Directory.Delete(directory, recursive: true);
        }

        foreach (var file in Directory.EnumerateFiles(_root))
        {
            File.Delete(file);
        }
    }
}
