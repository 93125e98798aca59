using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Infrastructure.Storage;

namespace ReverseShellFunction.Tests.Store;

/// <summary>The upload hashes are of the bytes sent once each, however the client seeks and re-reads.</summary>
public sealed class HashingReadStreamTest
{
    [Fact]
    [SuppressMessage("Security", "CA5351", Justification = "MD5 is the object's md5Hash integrity field, not a security control.")]
    public async Task SeekingBackAndReReading_HashesEachByteOnce()
    {
        var data = StoreSamples.Content(10_000);
        await using var hashing = new HashingReadStream(new MemoryStream(data));
        var buffer = new byte[3000];

        await hashing.ReadExactlyAsync(buffer);
        hashing.Position = 1000;
        await hashing.ReadExactlyAsync(buffer);
        await hashing.CopyToAsync(Stream.Null);

        var hashes = hashing.Finish();
        Assert.True(hashes.Complete);
        Assert.Equal(data.Length, hashes.Length);
        Assert.Equal(FakeCrc32C.Base64(data), hashes.Crc32c);
        Assert.Equal(Convert.ToBase64String(MD5.HashData(data)), hashes.Md5);
    }

    [Fact]
    public async Task SkippingForward_MarksTheHashesIncomplete()
    {
        await using var hashing = new HashingReadStream(new MemoryStream(StoreSamples.Content(10_000)));

        await hashing.ReadExactlyAsync(new byte[100]);
        hashing.Position = 5000;
        await hashing.CopyToAsync(Stream.Null);

        Assert.False(hashing.Finish().Complete);
    }
}
