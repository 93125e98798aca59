using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google;
using Google.Cloud.Storage.V1;
using StorageObject = Google.Apis.Storage.v1.Data.Object;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// One request for an object that fits one chunk: <c>uploadType=multipart</c>, the object resource as JSON, then
/// the bytes, in a <c>multipart/related</c> body. The resumable path the client takes costs two requests (start
/// the session, PUT the bytes) and holds the whole chunk in memory; this one hashes the source first, sends its
/// crc32c and md5Hash in the resource so the service refuses damaged bytes (400) before it creates anything, and
/// then streams the source from where it lies. It goes through the client's own HTTP client, so credentials,
/// the user agent and the endpoint (an emulator's too) are the client's.
/// </summary>
internal sealed class GcsMultipartUpload(StorageClient client)
{
    // Below the large object heap threshold, like the store's other transfer buffers.
    private const int BufferSize = 64 * 1024;

    private readonly string _uploadRoot = UploadRoot(client.Service);

    /// <summary>Creates the object from the source's remaining bytes, which must seek; 412 means it exists already.</summary>
    /// <returns>The created object's resource and the hashes of what was sent, or null when the object existed.</returns>
    public async Task<(StorageObject Created, UploadHashes Sent)?> CreateAsync(StorageObject destination, Stream content, CancellationToken cancellationToken)
    {
        var start = content.Position;
        var sent = await HashAsync(content, cancellationToken);

        // Only the writable fields and the checksums: the service fills in the rest and returns it.
        var resource = new StorageObject
        {
            Name = destination.Name,
            ContentType = destination.ContentType,
            CustomTimeRaw = destination.CustomTimeRaw,
            Metadata = destination.Metadata,
            Crc32c = sent.Crc32c,
            Md5Hash = sent.Md5,
        };
        var uri = $"{_uploadRoot}b/{Uri.EscapeDataString(destination.Bucket)}/o?uploadType=multipart&ifGenerationMatch=0";
        using var body = new MultipartContent("related", "rsf-" + Guid.NewGuid().ToString("N"));
        body.Add(new StringContent(client.Service.SerializeObject(resource), Encoding.UTF8, "application/json"));
        body.Add(new SourceContent(content, start, sent.Length) { Headers = { ContentType = MediaTypeHeaderValue.Parse(destination.ContentType ?? "application/octet-stream") } });
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = body };
        using var response = await client.Service.HttpClient.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            // The same exception the client throws, so retries and messages treat both upload paths alike.
            var error = await client.Service.DeserializeError(response);
            throw new GoogleApiException(client.Service.Name, error?.Message ?? $"multipart upload answered {(int)response.StatusCode}")
            {
                HttpStatusCode = response.StatusCode,
                Error = error,
            };
        }

        return (await client.Service.DeserializeResponse<StorageObject>(response), sent);
    }

    // BaseUri is "{root}storage/v1/" for the service and for an emulator alike; media go to "{root}upload/storage/v1/".
    private static string UploadRoot(Google.Apis.Storage.v1.StorageService service)
    {
        var baseUri = service.BaseUri;
        var root = baseUri.EndsWith(service.BasePath, StringComparison.Ordinal) ? baseUri[..^service.BasePath.Length] : new Uri(new Uri(baseUri), "/").ToString();
        return $"{root}upload/{service.BasePath}";
    }

    /// <summary>CRC32C and MD5 of the remaining bytes, read once through a pooled buffer; the source is left where it started.</summary>
    private static async Task<UploadHashes> HashAsync(Stream content, CancellationToken cancellationToken)
    {
        var start = content.Position;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var hashing = new HashingReadStream(content);
            while (await hashing.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken) > 0)
            {
            }

            return hashing.Finish();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            content.Position = start;
        }
    }

    /// <summary>
    /// The source's bytes from a fixed start, without taking ownership: the caller disposes the source, and a
    /// re-sent request (an authorization retry) reads the same bytes again. A source that changed length since it
    /// was hashed fails the request rather than sending other bytes than those the checksums describe.
    /// </summary>
    private sealed class SourceContent(Stream source, long start, long size) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            source.Position = start;
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                long copied = 0;
                int read;
                while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                {
                    copied += read;
                    if (copied > size)
                    {
                        break;
                    }

                    await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                if (copied != size)
                {
                    throw new IOException($"The upload source changed while it was sent: {size} bytes were hashed, {copied} read.");
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = size;
            return true;
        }
    }
}
