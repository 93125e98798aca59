using System.Security.Cryptography;

namespace ReverseShellFunction.Store;

/// <summary>Writes through to a sink while computing the SHA-256 of everything written.</summary>
internal sealed class HashingWriteStream : Stream
{
    private readonly Stream _sink;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public HashingWriteStream(Stream sink)
    {
        _sink = sink;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Lower-case hex, the form of the <c>sha256</c> metadata.</summary>
    public string Sha256Hex() => Convert.ToHexStringLower(_sha256.GetHashAndReset());

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _sha256.AppendData(buffer);
        _sink.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _sha256.AppendData(buffer.Span);
        return _sink.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => _sink.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _sink.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256.Dispose();
        }

        base.Dispose(disposing);
    }
}
