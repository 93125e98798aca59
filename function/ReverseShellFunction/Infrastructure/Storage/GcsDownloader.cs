using System.Net;
using Google;
using Google.Cloud.Storage.V1;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using StorageObject = Google.Apis.Storage.v1.Data.Object;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// Reads objects back. A bundle is spooled to a temporary file that deletes itself on close, so memory stays
/// bounded whatever its size; the client checks the bytes against the object's CRC32C as they arrive. The bytes
/// are returned as stored: judging them against the SHA-256 recorded in metadata is the caller's job (the
/// pipeline refuses to index a mismatch; verify reports it), so an auditor can still inspect a tampered bundle.
/// 5.0.0 has no retry options for downloads, so a failed download is started again here.
/// </summary>
internal sealed class GcsDownloader(StorageClient client, GcsStoreOptions options, GcsRetryPolicy retry)
{
    // Unbuffered: the client writes whole reads of DownloadChunkSize, a FileStream buffer would only add a copy.
    private const int SpoolBufferSize = 0;

    /// <summary>The object's bytes at the generation described, positioned at the start.</summary>
    public async Task<Stream> OpenAsync(StorageObject item, CancellationToken cancellationToken)
    {
        var directory = options.SpoolDirectory ?? Path.GetTempPath();
        var spool = new FileStream(
            Path.Combine(directory, StaleTemporaries.Name("rsf-gcs-") + ".spool"),
            FileMode.CreateNew,
            FileAccess.ReadWrite,
            FileShare.None,
            SpoolBufferSize,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await retry.RunAsync(
                "download",
                item.Name,
                retryStatuses: true,
                async token =>
                {
                    spool.SetLength(0);
                    await DownloadAsync(item.Name, spool, new DownloadObjectOptions { Generation = item.Generation, ChunkSize = options.DownloadChunkSize }, token);
                    await spool.FlushAsync(token);
                    return true;
                },
                cancellationToken);

            spool.Position = 0;
            return spool;
        }
        catch
        {
            await spool.DisposeAsync();
            throw;
        }
    }

    /// <summary>A small object's bytes (an index entry), or null when there is no such object.</summary>
    public async Task<byte[]?> ReadAllAsync(string name, CancellationToken cancellationToken)
    {
        return await retry.RunAsync<byte[]?>(
            "download",
            name,
            retryStatuses: true,
            async token =>
            {
                using var buffer = new MemoryStream();
                try
                {
                    await DownloadAsync(name, buffer, new DownloadObjectOptions { ChunkSize = options.DownloadChunkSize }, token);
                }
                catch (EvidenceNotFoundException)
                {
                    return null;
                }

                return buffer.ToArray();
            },
            cancellationToken);
    }

    private async Task DownloadAsync(string name, Stream destination, DownloadObjectOptions download, CancellationToken cancellationToken)
    {
        try
        {
            await client.DownloadObjectAsync(options.Bucket, name, destination, download, cancellationToken);
        }
        catch (GoogleApiException ex) when (ex.HttpStatusCode == HttpStatusCode.NotFound)
        {
            throw new EvidenceNotFoundException(name);
        }
    }
}
