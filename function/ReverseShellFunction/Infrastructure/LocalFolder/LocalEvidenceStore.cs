using System.Runtime.CompilerServices;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Infrastructure.LocalFolder;

/// <summary>
/// The embedded default: a folder with exactly the bucket's layout. Create-only writes go to a temporary
/// file first and are then linked into place in one step (<see cref="AtomicCreate"/>), so a reader never sees
/// half a file and two racing writers cannot both win. Stored files are made read-only.
/// </summary>
public sealed class LocalEvidenceStore : IEvidenceStore, IQuarantineReader
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private static readonly IReadOnlyDictionary<string, string> s_noMetadata = new Dictionary<string, string>();

    public LocalEvidenceStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string Location => Root;

    /// <summary>A folder keeps no object metadata and no retention policy: files are only made read-only.</summary>
    public StoreGuarantees Guarantees => StoreGuarantees.None;

    public Task<StoredObject?> GetBundleAsync(BundleId id, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathOf(BundleLayout.BundleObject(id)));
        return Task.FromResult(info.Exists ? Describe(BundleLayout.BundleObject(id), info) : null);
    }

    public Task<StoredObject?> GetIndexEntryObjectAsync(BundleId id, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathOf(BundleLayout.IndexObject(id)));
        return Task.FromResult(info.Exists ? Describe(BundleLayout.IndexObject(id), info) : null);
    }

    public Task<CreateResult> CreateBundleAsync(BundleId id, Stream content, BundleMetadata metadata, CancellationToken cancellationToken) =>
        CreateAsync(BundleLayout.BundleObject(id), content, cancellationToken);

    public async Task<CreateResult> CreateIndexEntryAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        await using var content = new MemoryStream(json.ToArray(), writable: false);
        return await CreateAsync(BundleLayout.IndexObject(id), content, cancellationToken);
    }

    public async Task<CreateResult> CreatePendingAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        await using var content = new MemoryStream(json.ToArray(), writable: false);
        return await CreateAsync(BundleLayout.PendingObject(id), content, cancellationToken);
    }

    public async Task<CreateResult> CreateClaimAsync(BundleId id, int generation, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        await using var content = new MemoryStream(json.ToArray(), writable: false);
        return await CreateAsync(BundleLayout.ClaimObject(id, generation), content, cancellationToken);
    }

    public Task<byte[]?> ReadClaimAsync(BundleId id, int generation, CancellationToken cancellationToken) =>
        ReadIfPresentAsync(BundleLayout.ClaimObject(id, generation), cancellationToken);

    public Task<byte[]?> ReadPendingAsync(BundleId id, CancellationToken cancellationToken) =>
        ReadIfPresentAsync(BundleLayout.PendingObject(id), cancellationToken);

    public IAsyncEnumerable<string> ListPendingObjectNamesAsync(CancellationToken cancellationToken) =>
        NamesAsync(BundleLayout.PendingPrefix, cancellationToken);

    public IAsyncEnumerable<string> ListQuarantineObjectNamesAsync(CancellationToken cancellationToken) =>
        NamesAsync(BundleLayout.QuarantinePrefix, cancellationToken);

    public Task<byte[]?> ReadQuarantineAsync(string objectName, CancellationToken cancellationToken) =>
        ReadIfPresentAsync(QuarantineName(objectName), cancellationToken);

    public async Task<CreateResult> CreateQuarantineAsync(string objectName, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        QuarantineName(objectName);
        await using var content = new MemoryStream(json.ToArray(), writable: false);
        return await CreateAsync(objectName, content, cancellationToken);
    }

    public Task<Stream> OpenBundleAsync(BundleId id, CancellationToken cancellationToken)
    {
        var name = BundleLayout.BundleObject(id);
        try
        {
            return Task.FromResult<Stream>(new FileStream(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, useAsync: true));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new EvidenceNotFoundException(name);
        }
    }

    public Task<byte[]?> ReadIndexEntryAsync(BundleId id, CancellationToken cancellationToken) =>
        ReadIfPresentAsync(BundleLayout.IndexObject(id), cancellationToken);

    public IAsyncEnumerable<string> ListIndexObjectNamesAsync(CancellationToken cancellationToken) =>
        NamesAsync(BundleLayout.IndexPrefix, cancellationToken);

    public async IAsyncEnumerable<StoredObject> ListBundleObjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var name in ListNames(BundleLayout.BundlesPrefix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Describe(name, new FileInfo(PathOf(name)));
        }

        await Task.CompletedTask;
    }

    private async Task<CreateResult> CreateAsync(string objectName, Stream content, CancellationToken cancellationToken)
    {
        var path = PathOf(objectName);
        if (File.Exists(path))
        {
            return CreateResult.AlreadyExists;
        }

        var directory = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(directory, StaleTemporaries.Name(BundleLayout.TemporaryPrefix));
        try
        {
            Directory.CreateDirectory(directory);
            // Unbuffered: CopyToAsync writes in blocks of its own; a buffered stream would allocate a large buffer per object.
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, ReadOnly);
            }

            // The first writer to place its file wins; the others learn it here and their copy is deleted below.
            return AtomicCreate.TryPlace(temporary, path) ? CreateResult.Created : CreateResult.AlreadyExists;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EvidenceStoreException($"Could not write '{objectName}' under {Root}: {ex.Message}", ex);
        }
        finally
        {
            // Never let the cleanup hide the store failure above (a folder that could not be created makes
            // this throw too): the caller must see EvidenceStoreException and answer 503.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// Deletes temporary files that writers killed mid-write left behind (their process is gone, or they are
    /// a day old). Writers call it when they start; readers never do, so <c>verify</c> can report such files.
    /// </summary>
    /// <returns>The object names removed.</returns>
    public IReadOnlyList<string> SweepStaleTemporaries()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var removed = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Root, BundleLayout.TemporaryPrefix + "*", SearchOption.AllDirectories))
        {
            if (StaleTemporaries.IsStale(Path.GetFileName(file), BundleLayout.TemporaryPrefix, File.GetLastWriteTimeUtc(file)) && StaleTemporaries.TryDelete(file))
            {
                removed.Add(Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/'));
            }
        }

        return removed;
    }

    private IEnumerable<string> ListNames(string prefix)
    {
        var directory = PathOf(prefix.TrimEnd('/'));
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);
    }

    private static StoredObject Describe(string name, FileInfo info) =>
        new(name, info.Length, null, s_noMetadata, info.IsReadOnly || IsReadOnlyOnUnix(info) ? "read-only file (local folder: no retention policy)" : "writable file (local folder: no retention policy)");

    private static bool IsReadOnlyOnUnix(FileInfo info) =>
        !OperatingSystem.IsWindows() && (info.UnixFileMode & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0;

    private string PathOf(string objectName) => Path.Combine(Root, objectName.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The name, when it is a safe object name under quarantine/; anything else is the caller's mistake.</summary>
    private static string QuarantineName(string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        if (!objectName.StartsWith(BundleLayout.QuarantinePrefix, StringComparison.Ordinal) || !BundlePaths.IsSafe(objectName))
        {
            throw new ArgumentException($"'{DisplayText.Visible(objectName, 100)}' is not a quarantine object name.", nameof(objectName));
        }

        return objectName;
    }

    private async Task<byte[]?> ReadIfPresentAsync(string objectName, CancellationToken cancellationToken)
    {
        var path = PathOf(objectName);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken) : null;
    }

    private async IAsyncEnumerable<string> NamesAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var name in ListNames(prefix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }

        await Task.CompletedTask;
    }
}
