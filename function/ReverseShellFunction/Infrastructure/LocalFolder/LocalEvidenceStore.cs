using System.Runtime.CompilerServices;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Infrastructure.Storage;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Infrastructure.LocalFolder;

/// <summary>
/// The embedded default: a folder with exactly the bucket's layout. Create-only writes go to a temporary
/// file first and are then linked into place in one step (<see cref="AtomicCreate"/>), so a reader never sees
/// half a file and two racing writers cannot both win. Stored files are made read-only.
/// </summary>
public sealed class LocalEvidenceStore : ObjectEvidenceStore
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private static readonly IReadOnlyDictionary<string, string> s_noMetadata = new Dictionary<string, string>();

    public LocalEvidenceStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public override string Location => Root;

    /// <summary>A folder keeps no object metadata and no retention policy: files are only made read-only.</summary>
    public override StoreGuarantees Guarantees => StoreGuarantees.None;

    protected override Task<StoredObject?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathOf(name));
        return Task.FromResult(info.Exists ? Describe(name, info) : null);
    }

    protected override Task<Stream> OpenAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<Stream>(new FileStream(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, useAsync: true));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new EvidenceNotFoundException(name);
        }
    }

    protected override IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) =>
        ListNamesAsync(prefix, cancellationToken).Select(name => Describe(name, new FileInfo(PathOf(name))));

    protected override async Task<byte[]?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken) : null;
    }

    protected override async IAsyncEnumerable<string> ListNamesAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var directory = PathOf(prefix.TrimEnd('/'));
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        var names = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }

        await Task.CompletedTask;
    }

    protected override async Task<CreateResult> CreateAsync(string name, Stream content, BundleMetadata? metadata, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
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
            throw new EvidenceStoreException($"Could not write '{name}' under {Root}: {ex.Message}", ex);
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

    private static StoredObject Describe(string name, FileInfo info) =>
        new(name, info.Length, null, s_noMetadata, info.IsReadOnly || IsReadOnlyOnUnix(info) ? "read-only file (local folder: no retention policy)" : "writable file (local folder: no retention policy)");

    private static bool IsReadOnlyOnUnix(FileInfo info) =>
        !OperatingSystem.IsWindows() && (info.UnixFileMode & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0;

    private string PathOf(string name) => Path.Combine(Root, name.Replace('/', Path.DirectorySeparatorChar));
}
