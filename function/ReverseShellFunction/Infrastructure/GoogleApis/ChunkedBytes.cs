using System.Buffers;

namespace ReverseShellFunction.Infrastructure.GoogleApis;

/// <summary>
/// A response body kept whole, as arrays of 64 KiB: under the large-object heap's threshold, so the Logging pages
/// that the coalescer keeps for a minute and the ones dropped at once live in the ordinary, compacted heap, and a
/// page costs no growing copies. Read before through a MemoryStream (its doublings and a final copy: three
/// large-object arrays per page of 1,000 entries), a 100,000-entry window grew the process by 105 MiB; read like
/// this, by 79 MiB (docs/benchmarks.md, large log window).
/// </summary>
/// <param name="chunks">Every chunk full except the last, which has its exact size: each array's length is its content.</param>
internal sealed class ChunkedBytes(List<byte[]> chunks, long length)
{
    private const int ChunkSize = 64 * 1024;

    public long Length { get; } = length;

    public static async Task<ChunkedBytes> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var chunks = new List<byte[]>();
        var chunk = new byte[ChunkSize];
        var filled = 0;
        long length = 0;
        int read;
        while ((read = await body.ReadAsync(chunk.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
            length += read;
            if (filled == chunk.Length)
            {
                chunks.Add(chunk);
                chunk = new byte[ChunkSize];
                filled = 0;
            }
        }

        // The last chunk at its exact size: a page of a few entries costs its size, not 64 KiB, and what the
        // coalescer counts against its memory budget is what the page holds.
        if (filled > 0 || chunks.Count == 0)
        {
            chunks.Add(chunk.AsSpan(0, filled).ToArray());
        }

        return new ChunkedBytes(chunks, length);
    }

    /// <summary>The bytes in order; <see cref="System.Text.Json.JsonDocument"/> parses a sequence through one pooled copy.</summary>
    public ReadOnlySequence<byte> AsSequence()
    {
        if (chunks.Count == 1)
        {
            return new ReadOnlySequence<byte>(chunks[0]);
        }

        var first = new Segment(chunks[0], 0);
        var last = first;
        foreach (var chunk in chunks.Skip(1))
        {
            last = last.Append(chunk);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
