using System.Buffers;
using ReverseShellFunction.Infrastructure.GoogleApis;

namespace ReverseShellFunction.Tests.Collect;

/// <summary>A body kept as 64 KiB arrays reads back exactly, whatever its length against the chunk size.</summary>
public sealed class ChunkedBytesTest
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(131_072)]
    [InlineData(1_000_003)]
    public async Task Body_ReadsBackByteForByte(int length)
    {
        var body = new byte[length];
        new Random(length).NextBytes(body);

        // A stream that answers in odd-sized reads, as a socket does.
        var chunked = await ChunkedBytes.ReadAsync(new TrickleStream(body), CancellationToken.None);

        Assert.Equal(length, chunked.Length);
        Assert.Equal(body, chunked.AsSequence().ToArray());
    }

    private sealed class TrickleStream(byte[] content) : MemoryStream(content)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 7_919)], cancellationToken);
    }
}
