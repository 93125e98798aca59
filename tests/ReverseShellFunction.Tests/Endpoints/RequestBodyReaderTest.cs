using Microsoft.AspNetCore.Http;
using ReverseShellFunction.Endpoints;

namespace ReverseShellFunction.Tests.Endpoints;

public sealed class RequestBodyReaderTest
{
    /// <summary>
    /// Kestrel's own body cap counts a chunked body as it decodes it, which can run ahead of the reader: when that cap
    /// is passed first, the reader still refuses the body as too large (413, the warning), never as an unhandled error.
    /// </summary>
    [Fact]
    public async Task TheServersOwnBodyCapPassedFirst_IsRefusedAsTooLarge()
    {
        var body = new CapPassedStream(bytesBefore: 256 * 1024);

        var refused = await Assert.ThrowsAsync<RequestTooLargeException>(() =>
            RequestBodyReader.ReadBodyAsync(body, declaredLength: null, RequestBodyReader.MaxRequestBytes, CancellationToken.None));

        Assert.Equal(256 * 1024, refused.Seen);
        Assert.IsType<BadHttpRequestException>(refused.InnerException);
    }

    /// <summary>Gives some bytes, then fails as Kestrel does when its MaxRequestBodySize is passed.</summary>
    private sealed class CapPassedStream(int bytesBefore) : Stream
    {
        private int _left = bytesBefore;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_left == 0)
            {
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            }

            var count = Math.Min(_left, buffer.Length);
            buffer[..count].Fill((byte)'x');
            _left -= count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
