using ReverseShellFunction.Intake;

namespace ReverseShellFunction.Endpoints;

/// <summary>
/// Reads a request into a <see cref="RawDelivery"/> without ever holding more than <see cref="MaxBodyBytes"/>.
/// A larger body is drained (counted, not kept) up to <see cref="MaxDrainBytes"/> so the answer can still be a
/// 2xx with the start of the body quarantined: a 413 would make Pub/Sub redeliver it forever.
/// </summary>
public static class RequestBodyReader
{
    /// <summary>Base64 of Pub/Sub's 10 MB limit is 13.4 MB; the envelope adds little.</summary>
    public const int MaxBodyBytes = 14 * 1024 * 1024;

    public const long MaxDrainBytes = 256L * 1024 * 1024;

    public static async Task<RawDelivery> ReadAsync(HttpRequest request, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var kept = new MemoryStream();
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while (total < MaxDrainBytes && (read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var room = (int)Math.Clamp(MaxBodyBytes - kept.Length, 0, read);
            kept.Write(buffer, 0, room);
            total += read;
        }

        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return new RawDelivery
        {
            Headers = headers,
            Body = kept.ToArray(),
            BodyLength = total,
            ReceivedAt = receivedAt,
            Origin = "http",
        };
    }
}
