using System.Text;
using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Infrastructure.Storage;

namespace ReverseShellFunction.Tests.Store;

/// <summary>The store's CRC32C (System.IO.Hashing's) and the fake's table-driven one, against known values and each other.</summary>
public sealed class Crc32CTest
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void KnownValues(string text, uint expected)
    {
        var bytes = Encoding.ASCII.GetBytes(text);

        Assert.Equal(expected, Crc32C.Compute(bytes));
        Assert.Equal(expected, FakeCrc32C.Compute(bytes));
    }

    [Fact]
    public void Base64_IsBigEndian()
    {
        var crc = Crc32C.Create();
        crc.Append(Encoding.ASCII.GetBytes("123456789"));

        Assert.Equal(Convert.ToBase64String([0xE3, 0x06, 0x92, 0x83]), Crc32C.ToBase64(crc));
    }

    [Fact]
    public void IncrementalAndOneShot_AgreeForEveryLengthAndSplit()
    {
        var data = StoreSamples.Content(1000, seed: 7);
        for (var length = 0; length <= 70; length++)
        {
            var slice = data.AsSpan(0, length);
            var crc = Crc32C.Create();
            crc.Append(slice[..(length / 3)]);
            crc.Append(slice[(length / 3)..]);

            Assert.Equal(FakeCrc32C.Compute(slice), crc.GetCurrentHashAsUInt32());
            Assert.Equal(FakeCrc32C.Compute(slice), Crc32C.Compute(slice));
        }

        Assert.Equal(FakeCrc32C.Base64(data), Base64(data));
    }

    private static string Base64(byte[] data)
    {
        var crc = Crc32C.Create();
        crc.Append(data);
        return Crc32C.ToBase64(crc);
    }
}
