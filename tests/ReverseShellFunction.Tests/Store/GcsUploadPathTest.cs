using ReverseShellFunction.Bundle;
using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Store;

/// <summary>
/// The two upload paths, told apart by the fake's request log: an object of one chunk or less goes in a single
/// multipart request, a larger one through a resumable session. Both are create-only, checked by the service
/// against the checksums sent, and leave the same object behind.
/// </summary>
public sealed class GcsUploadPathTest
{
    private const int Chunk = 256 * 1024;

    [Fact]
    public async Task ObjectOfOneChunk_IsOneMultipartRequest_WithItsMetadataAndChecksums()
    {
        await using var bucket = await FakeBucket.StartAsync(o => o with { ChunkSize = Chunk });
        var id = StoreSamples.Id();
        var content = StoreSamples.Content(Chunk);

        var result = await bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default);

        Assert.Equal(CreateResult.Created, result);
        var upload = Assert.Single(bucket.Server.Requests.All);
        Assert.Equal(FakeStorageOperation.UploadStart, upload.Operation);
        Assert.Contains("uploadType=multipart", upload.Target, StringComparison.Ordinal);
        Assert.Contains("ifGenerationMatch=0", upload.Target, StringComparison.Ordinal);
        Assert.Equal(200, upload.StatusCode);
        var stored = bucket.Object(BundleLayout.BundleObject(id))!;
        Assert.Equal(content, stored.Content.ToArray());
        Assert.Equal("application/zip", stored.ContentType);
        Assert.Equal(StoreSamples.Metadata(id, content).Sha256, stored.Metadata["sha256"]);
        Assert.Equal(id.Value, stored.Metadata["bundleId"]);
        Assert.Equal(StoreSamples.FindingName, stored.Metadata["findingName"]);
        Assert.Equal("2026-11-28T21:14:07.482Z", stored.Metadata["eventTime"]);
        Assert.Equal(StoreSamples.EventTime, stored.CustomTime);
    }

    [Fact]
    public async Task ObjectLargerThanOneChunk_GoesThroughAResumableSession_WithTheSameMetadata()
    {
        await using var bucket = await FakeBucket.StartAsync(o => o with { ChunkSize = Chunk });
        var id = StoreSamples.Id();
        var content = StoreSamples.Content(Chunk + 1);

        var result = await bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default);

        Assert.Equal(CreateResult.Created, result);
        var start = Assert.Single(bucket.Server.Requests.All, r => r.Operation == FakeStorageOperation.UploadStart);
        Assert.Contains("uploadType=resumable", start.Target, StringComparison.Ordinal);
        Assert.Equal(2, bucket.Server.Requests.Count(FakeStorageOperation.UploadChunk));
        var stored = bucket.Object(BundleLayout.BundleObject(id))!;
        Assert.Equal(content, stored.Content.ToArray());
        Assert.Equal(id.Value, stored.Metadata["bundleId"]);
        Assert.Equal(StoreSamples.EventTime, stored.CustomTime);
    }

    [Fact]
    public async Task IndexEntry_IsOneMultipartRequest_AsJson()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var id = StoreSamples.Id();

        await bucket.Store.CreateIndexEntryAsync(id, StoreSamples.Json("{\"a\":1}"), default);

        var upload = Assert.Single(bucket.Server.Requests.All);
        Assert.Contains("uploadType=multipart", upload.Target, StringComparison.Ordinal);
        var stored = bucket.Object(BundleLayout.IndexObject(id))!;
        Assert.Equal("application/json", stored.ContentType);
        Assert.Equal("{\"a\":1}"u8.ToArray(), stored.Content.ToArray());
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(Chunk + 1)]
    public async Task ObjectThatExists_IsAlreadyExists_OnEitherPath_AndLeftAsItWas(int size)
    {
        await using var bucket = await FakeBucket.StartAsync(o => o with { ChunkSize = Chunk });
        var id = StoreSamples.Id();
        var first = StoreSamples.Content(size, seed: 1);
        var second = StoreSamples.Content(size, seed: 2);
        await bucket.Store.CreateBundleAsync(id, new MemoryStream(first), StoreSamples.Metadata(id, first), default);

        var result = await bucket.Store.CreateBundleAsync(id, new MemoryStream(second), StoreSamples.Metadata(id, second), default);

        Assert.Equal(CreateResult.AlreadyExists, result);
        Assert.Contains(bucket.Server.Requests.All, r => r.StatusCode == 412);
        Assert.Equal(first, bucket.Object(BundleLayout.BundleObject(id))!.Content.ToArray());
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(Chunk + 1)]
    public async Task BytesDamagedInTransit_AreRefusedByTheService_OnEitherPath(int size)
    {
        await using var bucket = await FakeBucket.StartAsync(o => o with { ChunkSize = Chunk });
        var id = StoreSamples.Id();
        var content = StoreSamples.Content(size);
        bucket.Server.Faults.CorruptNextUpload();

        var ex = await Assert.ThrowsAsync<EvidenceStoreException>(
            () => bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default));

        Assert.Contains("doesn't match calculated", ex.Message, StringComparison.Ordinal);
        Assert.Contains(bucket.Server.Requests.All, r => r.StatusCode == 400);
        Assert.Null(bucket.Object(BundleLayout.BundleObject(id)));
    }

    [Fact]
    public async Task MultipartFailingOnceWith503_IsSentAgainWhole_AndStoredOnce()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var id = StoreSamples.Id();
        var content = StoreSamples.Content(5000);
        bucket.Server.Faults.FailNext(FakeStorageOperation.UploadStart, 503);

        var result = await bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default);

        Assert.Equal(CreateResult.Created, result);
        Assert.Equal(2, bucket.Server.Requests.Count(FakeStorageOperation.UploadStart));
        Assert.Equal(content, bucket.Object(BundleLayout.BundleObject(id))!.Content.ToArray());
    }
}
