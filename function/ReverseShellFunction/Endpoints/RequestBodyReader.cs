using System.Buffers;
using System.Security.Cryptography;
using ReverseShellFunction.Delivery;

namespace ReverseShellFunction.Endpoints;

/// <summary>
/// Reads a request into a <see cref="RawDelivery"/> holding at most <see cref="MaxBodyBytes"/> of the body.
/// The body is streamed through SHA-256 and counted up to <see cref="MaxRequestBytes"/>, so a quarantine record
/// states the true length and hash of anything a Pub/Sub push could be; a body over the read limit but within that
/// is answered 2xx and quarantined (<c>TooLarge</c>). Beyond it no Pub/Sub push can be (a message is at most 10 MB),
/// so reading stops and the caller gets 413 (<see cref="RequestTooLargeException"/>). With a Content-Length the kept
/// bytes go straight into one array of that size: one copy of the body.
/// </summary>
public static class RequestBodyReader
{
    /// <summary>Base64 of Pub/Sub's 10 MB limit is 13.4 MB; the envelope adds little.</summary>
    public const int MaxBodyBytes = 14 * 1024 * 1024;

    /// <summary>The most of a body that is read at all: more than twice any Pub/Sub push or Eventarc delivery.</summary>
    public const long MaxRequestBytes = 32L * 1024 * 1024;

    /// <exception cref="RequestTooLargeException">The body declares or has more than <see cref="MaxRequestBytes"/>.</exception>
    public static async Task<RawDelivery> ReadAsync(HttpRequest request, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is > MaxRequestBytes)
        {
            // Refused before a byte is read: a declared length this large is not a Pub/Sub push.
            throw new RequestTooLargeException(request.ContentLength.Value);
        }

        var body = await ReadBodyAsync(request.Body, request.ContentLength, MaxRequestBytes, cancellationToken);
        return new RawDelivery
        {
            Headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Body = body.Kept,
            BodyLength = body.Length,
            BodySha256 = body.Sha256,
            ReceivedAt = receivedAt,
            Source = DeliverySource.Http,
            BodyIsOwned = true,
        };
    }

    /// <summary>
    /// Keeps at most <see cref="MaxBodyBytes"/> of <paramref name="body"/>, hashing and counting all of it. Works on
    /// streams without a length (a chunked request, a pipe): <paramref name="declaredLength"/> only sizes the buffer.
    /// </summary>
    /// <param name="maxTotal">Stop with <see cref="RequestTooLargeException"/> past this many bytes; null reads everything.</param>
    public static async Task<(ReadOnlyMemory<byte> Kept, long Length, string Sha256)> ReadBodyAsync(
        Stream body, long? declaredLength, long? maxTotal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var kept = new byte[declaredLength is { } length and >= 0 ? Math.Min(length, MaxBodyBytes) : 64 * 1024];
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
                        Array.Resize(ref kept, (int)Math.Min(MaxBodyBytes, Math.Max(64 * 1024, (long)kept.Length * 2)));
                    }

                    read = await body.ReadAsync(kept.AsMemory(keptLength), cancellationToken);
                    sha.AppendData(kept, keptLength, read);
                    keptLength += read;
                }
                else
                {
                    // Past the read limit: count and hash, keep nothing more.
                    read = await body.ReadAsync(scratch, cancellationToken);
                    sha.AppendData(scratch, 0, read);
                }

                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > maxTotal)
                {
                    throw new RequestTooLargeException(total);
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && maxTotal is not null)
        {
            // Kestrel's own cap, set a little above ours, counts a chunked body as it decodes it, which can run ahead of
            // these reads: whichever cap is passed first, the body is too large, and it is answered as ours.
            throw new RequestTooLargeException(total, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        return (kept.AsMemory(0, keptLength), total, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}

/// <summary>A request body beyond <see cref="RequestBodyReader.MaxRequestBytes"/>: answered 413, nothing stored.</summary>
public sealed class RequestTooLargeException(long seen, Exception? innerException = null)
    : Exception($"The request body has more than {RequestBodyReader.MaxRequestBytes} bytes ({seen} declared or read); a Pub/Sub or Eventarc delivery is at most about 14 MB.", innerException)
{
    /// <summary>The declared length, or how much was read when the limit was passed.</summary>
    public long Seen { get; } = seen;
}
