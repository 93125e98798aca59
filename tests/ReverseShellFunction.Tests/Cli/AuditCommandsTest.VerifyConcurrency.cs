using System.Buffers.Binary;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>verify with parts checked concurrently, and the object hash running beside the zip checks.</summary>
public abstract partial class AuditCommandsTest
{
    /// <summary>What a damaged entry can be reported as, when the object's own hashes were made to match.</summary>
    private static readonly string[] s_insideTheZip = ["file-hash-mismatch", "file-unreadable", "file-size-mismatch"];

    [Fact]
    public async Task VerifyAll_Concurrently_ReportsExactlyWhatOnePartAtATimeReports()
    {
        var ids = new List<BundleId>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await SeedAsync(new SampleEvent
            {
                FindingId = $"c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0{i:D2}",
                EventTime = new DateTimeOffset(2026, 11, 28, 10, i, 0, TimeSpan.Zero),
            }));
        }

        // A tampered entry whose tracks are covered, a wrong object hash, a missing bundle object; 3 stay good.
        await TamperBundleAndIndexAsync(ids[1], zip => ZipEditor.Replace(zip, "summary.md", bytes =>
        {
            bytes[0] ^= 0x20;
            return bytes;
        }));
        await TamperBundleAsync(ids[3], bytes =>
        {
            bytes[bytes.Length / 3] ^= 0x20;
            return bytes;
        });
        await Store.DeleteAsync(BundleLayout.BundleObject(ids[4]), CancellationToken.None);

        var sequential = await RunAsync("verify", "--all", "--json", "--concurrency", "1");
        var concurrent = await RunAsync("verify", "--all", "--json", "--concurrency", "5");
        var byDefault = await RunAsync("verify", "--all");
        var sequentialText = await RunAsync("verify", "--all", "--concurrency", "1");

        Assert.Equal(ExitCodes.Problem, sequential.ExitCode);
        Assert.Equal(ExitCodes.Problem, concurrent.ExitCode);
        Assert.Equal(ExitCodes.Problem, byDefault.ExitCode);
        Assert.Equal(sequential.Output, concurrent.Output);
        Assert.Equal(sequentialText.Output, byDefault.Output);
        var results = JsonLines(concurrent.Output);
        Assert.Equal(ids.Select(id => id.Value), results.Select(r => r.GetProperty("bundleId").GetString()));
        Assert.Equal([true, false, true, false, false, true], results.Select(r => r.GetProperty("verified").GetBoolean()));
        Assert.Contains("file-hash-mismatch", ProblemKinds(results[1]));
        Assert.Contains("bundle-hash-mismatch", ProblemKinds(results[3]));
        Assert.Contains("bundle-missing", ProblemKinds(results[4]));
    }

    [Fact]
    public async Task Verify_FlippedByteInACompressedEntry_HashesCovered_IsFoundInsideTheZip()
    {
        var id = await SeedAsync();
        await TamperBundleAndIndexAsync(id, zip =>
        {
            var (offset, length) = LargestDeflatedEntryData(zip);
            zip[offset + (length / 2)] ^= 0x10;
            return zip;
        });

        var result = await RunAsync("verify", id.Value, "--json");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        var kinds = ProblemKinds(JsonLines(result.Output).Single());
        Assert.NotEmpty(kinds);
        Assert.All(kinds, kind => Assert.Contains(kind, s_insideTheZip));
    }

    [Fact]
    public async Task Verify_TruncatedObject_IsReportedWhetherOrNotItsHashesWereCovered()
    {
        var plain = await SeedAsync();
        var covered = await SeedAsync(s_second);
        await TamperBundleAsync(plain, bytes => bytes[..(bytes.Length - 100)]);
        await TamperBundleAndIndexAsync(covered, bytes => bytes[..(bytes.Length - 100)]);

        var result = await RunAsync("verify", plain.Value, covered.Value, "--json");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        var results = JsonLines(result.Output);
        Assert.Contains("bundle-hash-mismatch", ProblemKinds(results[0]));
        Assert.Contains("bundle-size-mismatch", ProblemKinds(results[0]));
        Assert.False(results[1].GetProperty("verified").GetBoolean());
        Assert.Contains("not-a-zip", ProblemKinds(results[1]));
    }

    [Theory]
    [InlineData("verify", "--all", "--concurrency", "0")]
    [InlineData("verify", "--all", "--concurrency", "257")]
    [InlineData("verify", "--all", "--concurrency", "many")]
    [InlineData("verify", "20261128T211407482Z-abc-0123456789abcdef", "--concurrency", "4")]
    public async Task Verify_ConcurrencyOutOfRangeOrWithoutAListing_ExitsTwo(params string[] args)
    {
        var result = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Where the compressed bytes of the largest deflated entry are, from the central directory.</summary>
    private static (int Offset, int Length) LargestDeflatedEntryData(byte[] zip)
    {
        var best = (Offset: -1, Length: 0);
        var position = ZipEditor.CentralDirectoryOffset(zip);
        while (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(position)) == 0x02014b50)
        {
            var method = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(position + 10));
            var compressed = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(position + 20));
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(position + 28));
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(position + 30));
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(position + 32));
            var local = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(position + 42));
            if (method == 8 && compressed > best.Length)
            {
                var data = local + 30 + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 28));
                best = (data, compressed);
            }

            position += 46 + nameLength + extraLength + commentLength;
        }

        Assert.True(best.Offset >= 0, "the bundle has no deflated entry");
        return best;
    }
}
