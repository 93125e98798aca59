using System.Buffers;
using System.Security.Cryptography;
using ReverseShellFunction.Intake;

namespace ReverseShellFunction.Endpoints;

/// <summary>
/// Reads a request into a <see cref="RawDelivery"/> holding at most <see cref="MaxBodyBytes"/> of the body.
/// All of the body is streamed through SHA-256 and counted, however large, so a quarantine record states the
/// true length and hash; a larger body is answered 2xx and quarantined (a 413 would make Pub/Sub redeliver it
/// for ever). With a Content-Length the kept bytes go straight into one array of that size: one copy of the body.
/// </summary>
public static class RequestBodyReader
{
    /// <summary>Base64 of Pub/Sub's 10 MB limit is 13.4 MB; the envelope adds little.</summary>
    public const int MaxBodyBytes = 14 * 1024 * 1024;

    public static async Task<RawDelivery> ReadAsync(HttpRequest request, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var declared = request.ContentLength;
        var kept = new byte[declared is { } length and >= 0 ? Math.Min(length, MaxBodyBytes) : 64 * 1024];
        var keptLength = 0;
        long total = 0;
        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                int read;
                if (keptLength < MaxBodyBytes)
                {
                    if (keptLength == kept.Length)
                    {
                        Array.Resize(ref kept, (int)Math.Min(MaxBodyBytes, (long)kept.Length * 2));
                    }

                    read = await request.Body.ReadAsync(kept.AsMemory(keptLength), cancellationToken);
                    sha.AppendData(kept, keptLength, read);
                    keptLength += read;
                }
                else
                {
                    // Past the limit: count and hash, keep nothing more.
                    read = await request.Body.ReadAsync(scratch, cancellationToken);
                    sha.AppendData(scratch, 0, read);
                }

                if (read == 0)
                {
                    break;
                }

                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return new RawDelivery
        {
            Headers = headers,
            Body = kept.AsMemory(0, keptLength),
            BodyLength = total,
            BodySha256 = Convert.ToHexStringLower(sha.GetHashAndReset()),
            ReceivedAt = receivedAt,
            Source = DeliverySource.Http,
            BodyIsOwned = true,
        };
    }
}
