using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The size and SHA-256 of a zip entry's content, read as a stream. Reading stops once the content is longer
/// than the size the manifest promises, so a zip bomb costs at most that much work (and disk, when copying).
/// </summary>
public sealed record EntryDigest(long Size, string Sha256, bool LongerThanLimit)
{
    /// <summary>Large enough that handing a buffer to another thread costs far less than hashing it.</summary>
    private const int BufferSize = 256 * 1024;
    private const int MinBufferSize = 4 * 1024;

    /// <remarks>
    /// Inflating is the longest step of a verify and cannot be split, so this thread only inflates: each full
    /// buffer is hashed (and copied) on another thread while the next one is inflated into a second buffer.
    /// Buffers are handed over in order, one at a time, so the hash sees the bytes in the order they come.
    /// </remarks>
    public static async Task<EntryDigest> ComputeAsync(ZipArchiveEntry entry, long limit, Stream? copyTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var content = await entry.OpenAsync(cancellationToken);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // Pooled, and no larger than the entry says it is (a lie only costs more reads): a part of small entries
        // would otherwise allocate, and the runtime zero, half a megabyte per entry, most of verify --all's CPU.
        var size = (int)Math.Clamp(entry.Length, MinBufferSize, BufferSize);
        var (filling, handedOver) = (ArrayPool<byte>.Shared.Rent(size), ArrayPool<byte>.Shared.Rent(size));
        var consuming = Task.CompletedTask;
        long total = 0;
        try
        {
            int read;
            while ((read = await content.ReadAtLeastAsync(filling, filling.Length, throwOnEndOfStream: false, cancellationToken)) > 0)
            {
                await consuming;
                (filling, handedOver) = (handedOver, filling);

                // Handing a buffer to another thread pays only when more is coming; the last one is consumed here.
                consuming = read < filling.Length ? ConsumeInlineAsync(sha, handedOver, read, copyTo, cancellationToken) : ConsumeAsync(sha, handedOver, read, copyTo, cancellationToken);
                total += read;
                if (total > limit)
                {
                    await consuming;
                    return new EntryDigest(total, Convert.ToHexStringLower(sha.GetHashAndReset()), true);
                }
            }

            await consuming;
        }
        catch
        {
            // Never leave the other thread hashing with a disposed hash object: wait for it, keep the first failure.
            await consuming.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(filling);
            ArrayPool<byte>.Shared.Return(handedOver);
        }

        return new EntryDigest(total, Convert.ToHexStringLower(sha.GetHashAndReset()), false);
    }

    private static async Task ConsumeInlineAsync(IncrementalHash sha, byte[] buffer, int count, Stream? copyTo, CancellationToken cancellationToken)
    {
        sha.AppendData(buffer, 0, count);
        if (copyTo is not null)
        {
            await copyTo.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
        }
    }

    private static Task ConsumeAsync(IncrementalHash sha, byte[] buffer, int count, Stream? copyTo, CancellationToken cancellationToken) =>
        Task.Run(() => ConsumeInlineAsync(sha, buffer, count, copyTo, cancellationToken), cancellationToken);

    /// <summary>Reads a small entry (manifest, summary) whole; null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadSmallAsync(ZipArchiveEntry entry, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var content = await entry.OpenAsync(cancellationToken);
        return await ReadSmallAsync(content, maxBytes, entry.Length, cancellationToken);
    }

    /// <summary>Reads a small stream whole; null when it is longer than <paramref name="maxBytes"/>, read no further than that.</summary>
    /// <param name="sizeHint">The length the stream claims, if any: it only sizes the first buffer.</param>
    public static async Task<byte[]?> ReadSmallAsync(Stream content, int maxBytes, long sizeHint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var copy = new MemoryStream((int)Math.Clamp(sizeHint, 0, maxBytes));
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (copy.Length + read > maxBytes)
                {
                    return null;
                }

                copy.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return copy.ToArray();
    }
}
