using System.Text;
using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Infrastructure.Storage;

namespace ReverseShellFunction.Tests.Store;

/// <summary>The store's CRC32C (hardware and table paths) and the fake's, against known values and each other.</summary>
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
        Assert.Equal(expected, Crc32C.ComputePortable(bytes));
        Assert.Equal(expected, FakeCrc32C.Compute(bytes));
    }

    [Fact]
    public void Base64_IsBigEndian()
    {
        var crc = new Crc32C();
        crc.Append(Encoding.ASCII.GetBytes("123456789"));

        Assert.Equal(Convert.ToBase64String([0xE3, 0x06, 0x92, 0x83]), crc.ToBase64());
    }

    [Fact]
    public void IncrementalAndOneShot_AgreeForEveryLengthAndSplit()
    {
        var data = StoreSamples.Content(1000, seed: 7);
        for (var length = 0; length <= 70; length++)
        {
            var slice = data.AsSpan(0, length);
            var crc = new Crc32C();
            crc.Append(slice[..(length / 3)]);
            crc.Append(slice[(length / 3)..]);

            Assert.Equal(FakeCrc32C.Compute(slice), crc.Value);
            Assert.Equal(Crc32C.ComputePortable(slice), Crc32C.Compute(slice));
        }

        Assert.Equal(FakeCrc32C.Base64(data), Base64(data));
    }

    private static string Base64(byte[] data)
    {
        var crc = new Crc32C();
        crc.Append(data);
        return crc.ToBase64();
    }
}
