using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ReverseShellFunction.Delivery;

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

    /// <summary>
    /// True when <see cref="Body"/> is an array that this delivery alone holds (the HTTP reader's and replay's
    /// own): the intake may then decode <c>message.data</c> into the body's own bytes instead of into a second
    /// array nearly its size, and puts the text back (<see cref="RestoreBody"/>) before anything quarantines it.
    /// </summary>
    public bool BodyIsOwned { get; init; }

    // Where message.data was decoded in place, so RestoreBody can encode it back; null while the body is as received.
    private (int Start, int TextLength, int DecodedLength)? _decodedInPlace;

    private static readonly SearchValues<byte> s_base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8);

    /// <summary>
    /// Decodes the padded standard base64 text at <paramref name="start"/> (<paramref name="length"/> bytes) into
    /// the body itself, from the same offset, and answers the decoded bytes; null, with the body untouched, when
    /// the body is not owned or the text is anything but canonical base64 (the only text that encoding the bytes
    /// again gives back exactly, which <see cref="RestoreBody"/> relies on).
    /// </summary>
    internal ReadOnlyMemory<byte>? TryDecodeInPlace(int start, int length)
    {
        if (!BodyIsOwned || _decodedInPlace is not null || length % 4 != 0 || (uint)start > (uint)Body.Length || (uint)length > (uint)(Body.Length - start))
        {
            return null;
        }

        var writable = MemoryMarshal.AsMemory(Body).Slice(start, length);
        var text = writable.Span;
        var padding = length == 0 ? 0 : text[^1] != (byte)'=' ? 0 : text[^2] != (byte)'=' ? 1 : 2;
        if (text[..^padding].IndexOfAnyExcept(s_base64Alphabet) >= 0 || !IsCanonicalEnd(text, padding))
        {
            return null;
        }

        // Validated above: decoding cannot stop half-way and leave the body changed.
        if (Base64.DecodeFromUtf8InPlace(text, out var written) != OperationStatus.Done || written != (length / 4 * 3) - padding)
        {
            throw new InvalidOperationException("Base64 validated as canonical did not decode in place.");
        }

        _decodedInPlace = (start, length, written);
        return writable[..written];
    }

    /// <summary>Encodes back what <see cref="TryDecodeInPlace"/> decoded: the body is again byte for byte as received.</summary>
    internal void RestoreBody()
    {
        if (_decodedInPlace is not { } region)
        {
            return;
        }

        var text = MemoryMarshal.AsMemory(Body).Span.Slice(region.Start, region.TextLength);
        if (Base64.EncodeToUtf8InPlace(text, region.DecodedLength, out var written) != OperationStatus.Done || written != region.TextLength)
        {
            throw new InvalidOperationException("Base64 decoded in place did not encode back to its text.");
        }

        _decodedInPlace = null;
    }

    /// <summary>The last quantum's unused bits are zero: "QQ==" and not "QR==", which decodes to the same byte.</summary>
    private static bool IsCanonicalEnd(ReadOnlySpan<byte> text, int padding)
    {
        if (padding == 0 || text.Length < 4)
        {
            return true;
        }

        Span<byte> decoded = stackalloc byte[3];
        Span<byte> again = stackalloc byte[4];
        var last = text[^4..];
        return Base64.DecodeFromUtf8(last, decoded, out _, out var count) == OperationStatus.Done
            && Base64.EncodeToUtf8(decoded[..count], again, out _, out _) == OperationStatus.Done
            && again.SequenceEqual(last);
    }

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
