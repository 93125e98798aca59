using System.IO.Compression;
using System.Security.Cryptography;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// A stored bundle copied to a private temporary file, hashed on the way. The zip's central directory is at
/// the end, so reading entries needs random access; the copy gives it without holding the bundle in memory.
/// The file is deleted on dispose.
/// </summary>
public sealed class SpooledBundle : IAsyncDisposable
{
    private const int BufferSize = 1024 * 1024;

    private readonly FileStream _file;
    private readonly string _path;

    private SpooledBundle(FileStream file, string path, string sha256)
    {
        _file = file;
        _path = path;
        Sha256 = sha256;
    }

    public long Size => _file.Length;

    /// <summary>Lower-case hex SHA-256 of every byte read from the store.</summary>
    public string Sha256 { get; }

    /// <param name="progress">Receives the number of bytes copied so far, once per buffer.</param>
    public static async Task<SpooledBundle> CopyAsync(Stream source, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var path = Path.Combine(Path.GetTempPath(), StaleTemporaries.Name("rsf-spool-") + ".zip");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[BufferSize];
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
                progress?.Report(total);
            }

            await file.FlushAsync(cancellationToken);
            file.Position = 0;
            return new SpooledBundle(file, path, Convert.ToHexStringLower(sha.GetHashAndReset()));
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

    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync();
        File.Delete(_path);
    }
}
