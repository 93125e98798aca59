using System.Security.Cryptography;

namespace ReverseShellFunction.Intake;

/// <summary>Where a delivery came from.</summary>
public enum DeliverySource
{
    /// <summary>An HTTP request to the function (Eventarc or a push subscription).</summary>
    Http,

    /// <summary>A file given to <c>replay</c>.</summary>
    Replay,
}

/// <summary>
/// A request as it arrived, before any parsing: what quarantine preserves. <see cref="Body"/> holds at most
/// the intake's read limit; <see cref="BodyLength"/> and <see cref="BodySha256"/> describe the whole body,
/// which was streamed through a hash however large it was.
/// </summary>
public sealed record RawDelivery
{
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required ReadOnlyMemory<byte> Body { get; init; }
    public required long BodyLength { get; init; }

    /// <summary>Lower-case hex SHA-256 of every byte of the body, kept or not.</summary>
    public required string BodySha256 { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
    public required DeliverySource Source { get; init; }

    /// <summary>For <see cref="DeliverySource.Replay"/>: the file's name.</summary>
    public string? ReplayFile { get; init; }

    /// <summary>For records and messages: "http" or "replay:FILE".</summary>
    public string Origin => Source == DeliverySource.Replay ? $"replay:{ReplayFile}" : "http";

    public bool IsComplete => Body.Length == BodyLength;

    /// <summary>A delivery whose whole body is in memory (replayed files, tests).</summary>
    public static RawDelivery FromBytes(
        IReadOnlyDictionary<string, string> headers, byte[] body, DateTimeOffset receivedAt, DeliverySource source, string? replayFile = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new RawDelivery
        {
            Headers = headers,
            Body = body,
            BodyLength = body.LongLength,
            BodySha256 = Convert.ToHexStringLower(SHA256.HashData(body)),
            ReceivedAt = receivedAt,
            Source = source,
            ReplayFile = replayFile,
        };
    }

    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
