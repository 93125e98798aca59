using System.Net;
using Google;
using Google.Cloud.Storage.V1;
using ReverseShellFunction.Store;
using StorageObject = Google.Apis.Storage.v1.Data.Object;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// Create-only, verified uploads. <c>ifGenerationMatch=0</c> makes the service refuse to replace anything (412,
/// read as "already exists"), which is also what makes a retry safe. An object that fits one chunk goes in one
/// multipart request with its crc32c and md5Hash (<see cref="GcsMultipartUpload"/>); a larger one through the
/// client's resumable chunks, which resume a chunk that failed and send its CRC32C so the service rejects damaged
/// bytes. Either way the store hashes the bytes itself and checks the md5Hash and crc32c the service reports for
/// the new object.
/// </summary>
internal sealed class GcsUploader(StorageClient client, GcsStoreOptions options, GcsRetryPolicy retry)
{
    private readonly GcsMultipartUpload _multipart = new(client);

    public Task<CreateResult> CreateAsync(StorageObject destination, Stream content, CancellationToken cancellationToken)
    {
        // 5.0.0 retries a failed chunk inside the session, but neither the session start nor a session that
        // failed for good: those are retried here, from the start of the source, which therefore must seek.
        var start = content.CanSeek ? content.Position : -1;
        return retry.RunAsync(
            "upload",
            destination.Name,
            retryStatuses: content.CanSeek,
            async token =>
            {
                if (start >= 0)
                {
                    content.Position = start;
                }

                return await AttemptAsync(destination, content, token);
            },
            cancellationToken);
    }

    private async Task<CreateResult> AttemptAsync(StorageObject destination, Stream content, CancellationToken cancellationToken)
    {
        // One chunk or less: one request instead of a session start and a PUT, and no chunk held in memory.
        if (content.CanSeek && content.Length - content.Position <= options.ChunkSize)
        {
            if (await _multipart.CreateAsync(destination, content, cancellationToken) is not { } done)
            {
                return CreateResult.AlreadyExists;
            }

            Verify(destination.Name, done.Sent, done.Created);
            return CreateResult.Created;
        }

        var upload = new UploadObjectOptions
        {
            IfGenerationMatch = 0,
            ChunkSize = ChunkSizeFor(content),
            UploadValidationMode = UploadValidationMode.RejectAndThrow,
        };
        await using var hashing = new HashingReadStream(content);
        StorageObject created;
        try
        {
            created = await client.UploadObjectAsync(destination, hashing, upload, cancellationToken);
        }
        catch (GoogleApiException ex) when (ex.HttpStatusCode == HttpStatusCode.PreconditionFailed)
        {
            return CreateResult.AlreadyExists;
        }

        Verify(destination.Name, hashing.Finish(), created);
        return CreateResult.Created;
    }

    /// <summary>
    /// The client holds one chunk in memory per upload: a bundle smaller than the configured chunk gets a chunk
    /// just large enough (a multiple of 256 KiB, as the API requires), so a small bundle does not cost 8 MiB.
    /// </summary>
    private int ChunkSizeFor(Stream content)
    {
        const int Quantum = 256 * 1024;
        if (!content.CanSeek)
        {
            return options.ChunkSize;
        }

        var remaining = Math.Max(1, content.Length - content.Position);
        var needed = (remaining + Quantum - 1) / Quantum * Quantum;
        return (int)Math.Min(options.ChunkSize, needed);
    }

    /// <summary>
    /// Not retried: the object now exists, so a retry would only find it and hide the problem. A later
    /// redelivery reads the object back and checks it against its sha256 metadata.
    /// </summary>
    private void Verify(string name, UploadHashes sent, StorageObject created)
    {
        var problems = new List<string>();
        if (!sent.Complete)
        {
            problems.Add("the client skipped part of the source, so the local hashes cover only part of it");
        }

        if (created.Size is { } size && (long)size != sent.Length)
        {
            problems.Add($"size {size} stored, {sent.Length} sent");
        }

        if (created.Crc32c != sent.Crc32c)
        {
            problems.Add($"crc32c {created.Crc32c ?? "(none)"} stored, {sent.Crc32c} sent");
        }

        // Composite objects have no MD5; an object from a single upload always has one.
        if (created.Md5Hash is not null && created.Md5Hash != sent.Md5)
        {
            problems.Add($"md5Hash {created.Md5Hash} stored, {sent.Md5} sent");
        }

        if (problems.Count > 0)
        {
            throw new EvidenceStoreException(
                $"Integrity check failed for gs://{options.Bucket}/{name} (generation {created.Generation}): {string.Join("; ", problems)}.");
        }
    }
}
