using System.Security.Cryptography;
using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Infrastructure.Storage;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;
using Xunit.Abstractions;

namespace ReverseShellFunction.Tests.Store;

/// <summary>
/// A bundle of up to 50 MiB goes up and comes back through the bucket store and the fake without the store holding it in
/// memory: the upload streams from the file in resumable chunks and the download spools to a temporary file.
/// The numbers are written to the test output; docs/storage-memory.md records them. Runs alone, so that other
/// tests' allocations do not count.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class StorageMemoryTest(ITestOutputHelper output)
{
    private const int MiB = 1024 * 1024;

    /// <summary>
    /// Bundle MiB and chunk size. The default lane (<see cref="TestLane"/>) sends 30 MiB rather than 50 in 1 MiB
    /// chunks: still well above the bound (2 chunks + 16 MiB), in 30 requests instead of 50.
    /// </summary>
    public static TheoryData<int, int> Sizes() => new()
    {
        { 50, GcsStoreOptions.DefaultChunkSize },
        { TestLane.Count(50, 30), 1 * MiB },
        { 10, 1 * MiB },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task BundleUploadAndDownload_UseMemoryBoundedByTheChunkSizeNotTheBundleSize(int bundleMiB, int chunkSize)
    {
        var bundleSize = bundleMiB * MiB;
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "bundle.zip");
        var sha256 = await WriteRandomFileAsync(path, bundleSize);
        await using var bucket = await FakeBucket.StartAsync(o => o with { OperationTimeout = TimeSpan.FromSeconds(60), ChunkSize = chunkSize });
        await WarmUpAsync(bucket);
        var id = StoreSamples.Id();
        var metadata = new BundleMetadata(sha256, id.Value, StoreSamples.FindingName, id.EventTime, bundleSize);

        var upload = MemorySampler.Start();
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, MiB, useAsync: true))
        {
            Assert.Equal(CreateResult.Created, await bucket.Store.CreateBundleAsync(id, file, metadata, default));
        }

        var uploaded = await upload.StopAsync();
        var download = MemorySampler.Start();
        await using (var stream = await bucket.Store.OpenBundleAsync(id, default))
        {
            await stream.CopyToAsync(Stream.Null);
        }

        var downloaded = await download.StopAsync();
        output.WriteLine($"chunk size {chunkSize / MiB} MiB, bundle {bundleSize / MiB} MiB");
        output.WriteLine($"upload:   {uploaded} (includes the fake's one {bundleSize / MiB} MiB copy of the object)");
        output.WriteLine($"download: {downloaded}");

        // The fake keeps one copy of the object; above that is the client, the store and Kestrel: about one chunk
        // plus a fixed overhead, whatever the bundle's size. The bound leaves room for GC timing.
        Assert.True(uploaded.PeakLiveGrowth - bundleSize < (2 * chunkSize) + (16 * MiB), $"upload: {uploaded}");
        Assert.True(downloaded.PeakLiveGrowth < (2 * chunkSize) + (16 * MiB), $"download: {downloaded}");
    }

    [Fact]
    public async Task Download_HoldsOneSmallReadBuffer_InOneRequest()
    {
        const int bundleSize = 20 * MiB;
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "bundle.zip");
        var sha256 = await WriteRandomFileAsync(path, bundleSize);
        await using var bucket = await FakeBucket.StartAsync(o => o with { OperationTimeout = TimeSpan.FromSeconds(60) });
        await WarmUpAsync(bucket);
        var id = StoreSamples.Id();
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, MiB, useAsync: true))
        {
            Assert.Equal(CreateResult.Created, await bucket.Store.CreateBundleAsync(id, file, new BundleMetadata(sha256, id.Value, StoreSamples.FindingName, id.EventTime, bundleSize), default));
        }

        var before = bucket.Server.Requests.Count(FakeStorageOperation.Download);
        var download = MemorySampler.Start();
        await using (var stream = await bucket.Store.OpenBundleAsync(id, default))
        {
            Assert.Equal(sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream)));
        }

        var downloaded = await download.StopAsync();
        output.WriteLine($"download of {bundleSize / MiB} MiB with the default read size: {downloaded}");

        // Completions download part 1 dozens at a time: a few MiB each would add up to the instance's memory.
        Assert.Equal(1, bucket.Server.Requests.Count(FakeStorageOperation.Download) - before);
        Assert.True(downloaded.PeakLiveGrowth < 4 * MiB, $"download: {downloaded}");

        // An index entry is read several times per completion: its read must not take the client's 10 MB default buffer.
        Assert.Equal(CreateResult.Created, await bucket.Store.CreateIndexEntryAsync(id, new byte[2048], default));
        _ = await bucket.Store.ReadIndexEntryAsync(id, default);
        var index = MemorySampler.Start();
        Assert.Equal(2048, (await bucket.Store.ReadIndexEntryAsync(id, default))!.Length);
        var read = await index.StopAsync();
        output.WriteLine($"index entry read: {read}");
        Assert.True(read.Allocated < 2 * MiB, $"index entry read: {read}");
    }

    private static async Task<string> WriteRandomFileAsync(string path, int size)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[MiB];
        var random = new Random(42);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, MiB, useAsync: true);
        for (var written = 0; written < size; written += block.Length)
        {
            random.NextBytes(block);
            sha.AppendData(block);
            await file.WriteAsync(block);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>JIT, connection pool and first-use allocations happen here, outside the measurement.</summary>
    private static async Task WarmUpAsync(FakeBucket bucket)
    {
        var id = StoreSamples.Id(-1);
        var content = StoreSamples.Content(64 * 1024);
        await bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default);
        await using var stream = await bucket.Store.OpenBundleAsync(id, default);
        await stream.CopyToAsync(Stream.Null);
    }
}
