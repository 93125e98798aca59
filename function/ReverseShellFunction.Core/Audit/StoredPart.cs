using System.IO.Compression;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// One stored part, downloaded (or opened in place) once, with random access to its bytes and their SHA-256: its
/// summary, manifest, seal record or any other entry when asked, the JSON ones through <see cref="StoredShape"/>'s
/// check. Crash repair, the completion's read of the notification and verify all open a part through it. The zip's
/// central directory is at the end, so reading entries needs random access. A stream that is not a file (a
/// download) is copied to a private temporary file, hashed on the way, and the copy is deleted on dispose; a store's
/// own file is read in place while another thread hashes it, so the object hash costs no time on the inflate path.
/// Memory stays bounded either way.
/// </summary>
public sealed class StoredPart : IAsyncDisposable
{
    private const int BufferSize = 1024 * 1024;
    private const int SecondReaderBufferSize = 256 * 1024;

    private readonly Stream _content;
    private readonly FileStream _file;
    private readonly SafeFileHandle _handle;
    private readonly string? _path;
    private readonly Task<string> _sha256;
    private ZipArchive? _zip;

    /// <param name="content">The store's stream, disposed last; <paramref name="file"/> itself when read in place.</param>
    private StoredPart(Stream content, FileStream file, SafeFileHandle handle, string? path, long size, Task<string> sha256)
    {
        _content = content;
        _file = file;
        _handle = handle;
        _path = path;
        Size = size;
        _sha256 = sha256;
    }

    /// <summary>The number of bytes hashed (for a store's own file, its length when it was opened).</summary>
    public long Size { get; }

    /// <summary>Lower-case hex SHA-256 of every byte read from the store, once <see cref="Sha256Async"/> finished.</summary>
    /// <exception cref="InvalidOperationException">The hash is still being computed.</exception>
    public string Sha256 => _sha256.IsCompletedSuccessfully ? _sha256.Result : throw new InvalidOperationException("The bundle's SHA-256 is not computed yet: await Sha256Async first.");

    /// <summary>Lower-case hex SHA-256 of every byte read from the store.</summary>
    /// <exception cref="IOException">The store's file could not be read, or it changed while it was read.</exception>
    public Task<string> Sha256Async() => _sha256;

    /// <summary>
    /// The store's own file (a seekable <see cref="FileStream"/>) is used in place and hashed on another thread while
    /// the caller reads entries; anything else is copied to a temporary file, hashed on the way.
    /// </summary>
    /// <param name="progress">Receives the number of bytes copied or hashed so far, once per buffer.</param>
    /// <exception cref="EvidenceNotFoundException">The store holds no such part.</exception>
    public static async Task<StoredPart> OpenAsync(IEvidenceReader store, BundleId id, Action<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(id);
        var content = await store.OpenBundleAsync(id, cancellationToken);
        try
        {
            if (content is not FileStream { CanSeek: true, CanRead: true } file)
            {
                return await CopyAsync(content, progress, cancellationToken);
            }

            // Taken once, here: FileStream.SafeFileHandle drops the stream's read buffer, which must not happen while
            // the zip reader uses it on another thread.
            var handle = file.SafeFileHandle;
            var length = RandomAccess.GetLength(handle);
            var written = File.GetLastWriteTimeUtc(handle);

            // The hash reads at explicit offsets (pread) on the same handle, so it never moves the position the zip
            // reader uses, and it reads the very file the zip reader reads, not whatever a path names by then.
            var hash = Task.Run(() => HashInPlaceAsync(handle, length, written, progress, cancellationToken), cancellationToken);
            return new StoredPart(content, file, handle, null, length, hash);
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }
    }

    /// <param name="progress">Receives the number of bytes copied so far, once per buffer.</param>
    private static async Task<StoredPart> CopyAsync(Stream source, Action<long>? progress, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), StaleTemporaries.Name("rsf-spool-") + ".zip");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            var (_, sha256) = await BundleWriter.HashAsync(source, file, BufferSize, progress, cancellationToken);
            await file.FlushAsync(cancellationToken);
            file.Position = 0;

            // Taken before anyone reads: see OpenAsync.
            var handle = file.SafeFileHandle;
            return new StoredPart(source, file, handle, path, file.Length, Task.FromResult(sha256));
        }
        catch
        {
            await file.DisposeAsync();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Reads the zip's central directory.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a zip.</exception>
    public ZipArchive OpenZip()
    {
        _file.Position = 0;
        return new ZipArchive(_file, ZipArchiveMode.Read, leaveOpen: true);
    }

    /// <summary>
    /// A second reader of the same zip with a position of its own (positional reads on the same handle), so one
    /// thread can inflate the large entries while another reads the small ones through <see cref="OpenZip"/>. A
    /// <see cref="ZipArchive"/> is not safe for two threads; two archives over one file are, as they never share a
    /// position or a buffer. The caller disposes it before this part.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a zip.</exception>
    public ZipArchive OpenSecondZip() =>
        // Buffered, so the inflater's small reads of compressed bytes do not each become a system call.
        new(new BufferedStream(new PositionalReadStream(_handle, Size), (int)Math.Clamp(Size, 4096, SecondReaderBufferSize)), ZipArchiveMode.Read, leaveOpen: false);

    /// <exception cref="InvalidDataException">Not a zip, no summary.json, or not a summary.</exception>
    public async Task<EvidenceSummary> ReadSummaryAsync(CancellationToken cancellationToken) =>
        StoredShape.Read<EvidenceSummary>(await ReadEntryAsync(BundleLayout.Entries.Summary, EntryLimits.MaxJsonBytes, cancellationToken), BundleLayout.Entries.Summary);

    /// <summary>The manifest, which holds the link to the previous part.</summary>
    /// <exception cref="InvalidDataException">Not a zip, no manifest.json, or not a manifest.</exception>
    public async Task<Manifest> ReadManifestAsync(CancellationToken cancellationToken) =>
        StoredShape.Read<Manifest>(await ReadEntryAsync(BundleLayout.Entries.Manifest, EntryLimits.MaxJsonBytes, cancellationToken), BundleLayout.Entries.Manifest);

    /// <summary>
    /// The seal record, or null when the part has none or it cannot be read (verify then says so), so an index entry
    /// written after a crash carries the same seal as the one the crash prevented.
    /// </summary>
    public async Task<SealRecord?> ReadSealAsync(CancellationToken cancellationToken)
    {
        try
        {
            return Zip().GetEntry(BundleLayout.Entries.SealRecord) is { } entry
                && await EntryDigest.ReadSmallAsync(entry, EntryLimits.MaxSealBytes, cancellationToken) is { } bytes
                ? EvidenceJson.Deserialize<SealRecord>(bytes)
                : null;
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException)
        {
            return null;
        }
    }

    /// <summary>One entry, whole.</summary>
    /// <exception cref="InvalidDataException">Not a zip, no such entry, or larger than <paramref name="maxBytes"/>.</exception>
    public async Task<byte[]> ReadEntryAsync(string name, int maxBytes, CancellationToken cancellationToken)
    {
        var entry = Zip().GetEntry(name) ?? throw new InvalidDataException($"The part has no {name}.");
        return await EntryDigest.ReadSmallAsync(entry, maxBytes, cancellationToken)
            ?? throw new InvalidDataException($"{name} is larger than {maxBytes} bytes.");
    }

    /// <summary>
    /// One entry, read only when the part's bytes hash to <paramref name="expectedSha256"/> (its index entry's
    /// record): a completion never collects on the strength of altered evidence.
    /// </summary>
    /// <exception cref="InvalidDataException">The part differs from its record, is not a zip, or lacks the entry.</exception>
    public async Task<byte[]> ReadEntryAsync(string name, string expectedSha256, int maxBytes, CancellationToken cancellationToken)
    {
        var sha256 = await Sha256Async();
        if (!string.Equals(sha256, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"The part hashes to {sha256}, its index entry records {expectedSha256}.");
        }

        return await ReadEntryAsync(name, maxBytes, cancellationToken);
    }

    private ZipArchive Zip() => _zip ??= OpenZip();

    public async ValueTask DisposeAsync()
    {
        _zip?.Dispose();

        // The hash must be done with the handle before anyone closes it; its failure was (or is never) asked for.
        await _sha256.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (_path is not null)
        {
            await _file.DisposeAsync();
            File.Delete(_path);
        }

        await _content.DisposeAsync();
    }

    private static async Task<string> HashInPlaceAsync(SafeFileHandle handle, long length, DateTime written, Action<long>? progress, CancellationToken cancellationToken)
    {
        var (total, sha256) = await BundleWriter.HashAsync(new PositionalReadStream(handle, length), null, (int)Math.Clamp(length, 1, BufferSize), progress, cancellationToken);

        // Two readers of one file see the same bytes only if nobody writes it meanwhile (the folder store's files
        // are read-only, but a writer could change that): a change in between fails the bundle rather than let
        // the hash vouch for bytes the zip checks never saw.
        if (total != length || RandomAccess.GetLength(handle) != length || File.GetLastWriteTimeUtc(handle) != written)
        {
            throw new IOException($"the file changed while it was verified ({length} bytes when opened, {total} read)");
        }

        return sha256;
    }
}
