using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;

namespace ReverseShellFunction.Tests.Custody;

/// <summary>The store's protection is read at most once a minute, each manifest says when, and a failed read is not reused.</summary>
public sealed class ManifestSealerTest
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class CountingReader : IStorageProtectionReader
    {
        public int Reads { get; private set; }

        public bool Fail { get; set; }

        public Task<StorageProtection> ReadAsync(CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(new StorageProtection { Store = "gs://b", ReadError = Fail ? "403" : null, RetentionPeriodSeconds = Reads });
        }
    }

    [Fact]
    public async Task One_reading_serves_a_minute_and_says_when_it_was_made()
    {
        var clock = new Clock();
        var reader = new CountingReader();
        var sealer = new ManifestSealer(null, null, reader, NullLogger<ManifestSealer>.Instance, clock);

        var first = await sealer.PrepareAsync(CancellationToken.None);
        clock.Now += TimeSpan.FromSeconds(59);
        var second = await sealer.PrepareAsync(CancellationToken.None);
        Assert.Equal(1, reader.Reads);
        Assert.Equal(first.Storage, second.Storage);
        Assert.Equal(clock.Now - TimeSpan.FromSeconds(59), second.Storage.ReadAt);

        clock.Now += TimeSpan.FromSeconds(2);
        var third = await sealer.PrepareAsync(CancellationToken.None);
        Assert.Equal(2, reader.Reads);
        Assert.Equal(clock.Now, third.Storage.ReadAt);

        reader.Fail = true;
        clock.Now += TimeSpan.FromMinutes(2);
        Assert.Equal("403", (await sealer.PrepareAsync(CancellationToken.None)).Storage.ReadError);
        reader.Fail = false;
        Assert.Null((await sealer.PrepareAsync(CancellationToken.None)).Storage.ReadError);
        Assert.Equal(4, reader.Reads);
    }
}
