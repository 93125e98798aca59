using System.IO.Hashing;
using System.Security.Cryptography;

namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>
/// Passes an upload's source through unchanged while computing the CRC32C and MD5 that the service must report
/// for the object it created. The client may seek back and resend a chunk after a failure: bytes already hashed
/// are not hashed again, and bytes skipped by a forward seek make the result unusable rather than wrong.
/// Position and length are the source's, so the client sees the stream it was given.
/// </summary>
internal sealed class HashingReadStream(Stream source) : Stream
{
    private readonly long _origin = source.CanSeek ? source.Position : 0;
    private readonly Crc32 _crc32c = Crc32C.Create();
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private long _hashed;
    private long _read;
    private bool _skipped;

    public override bool CanRead => true;

    public override bool CanSeek => source.CanSeek;

    public override bool CanWrite => false;

    public override long Length => source.Length;

    public override long Position
    {
        get => source.CanSeek ? source.Position : _origin + _read;
        set => source.Position = value;
    }

    /// <summary>What was read, once the client is done; <see cref="UploadHashes.Complete"/> is false after a gap.</summary>
    public UploadHashes Finish() =>
        new(_hashed, Crc32C.ToBase64(_crc32c), Convert.ToBase64String(_md5.GetHashAndReset()), !_skipped);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var at = Position - _origin;
        var count = source.Read(buffer);
        Observe(buffer[..count], at);
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var at = Position - _origin;
        var count = await source.ReadAsync(buffer, cancellationToken);
        Observe(buffer.Span[..count], at);
        return count;
    }

    public override long Seek(long offset, SeekOrigin origin) => source.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _md5.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Observe(ReadOnlySpan<byte> bytes, long at)
    {
        _read = at + bytes.Length;
        if (at > _hashed)
        {
            _skipped = true;
            return;
        }

        var alreadyHashed = (int)Math.Min(bytes.Length, _hashed - at);
        var fresh = bytes[alreadyHashed..];
        _crc32c.Append(fresh);
        _md5.AppendData(fresh);
        _hashed += fresh.Length;
    }
}
