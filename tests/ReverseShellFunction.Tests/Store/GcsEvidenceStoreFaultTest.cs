using ReverseShellFunction.Bundle;
using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Store;

/// <summary>
/// Each fault class the bucket store must ride out or report: transient statuses and dropped connections are
/// retried (by the client or the store); what persists, times out or is refused becomes an
/// <see cref="EvidenceStoreException"/>, which the edge answers with 503.
/// </summary>
public sealed class GcsEvidenceStoreFaultTest
{
    public static TheoryData<int> TransientStatuses => new() { 408, 429, 500, 502, 503, 504 };

    [Theory]
    [MemberData(nameof(TransientStatuses))]
    public async Task UploadStart_FailsOnceWithTransientStatus_IsRetriedAndStored(int status)
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Faults.FailNext(FakeStorageOperation.UploadStart, status);
        var id = StoreSamples.Id();

        Assert.Equal(CreateResult.Created, await GcsEvidenceStoreTest.CreateBundleAsync(bucket, id));

        Assert.Equal(2, bucket.Server.Requests.Count(FakeStorageOperation.UploadStart));
        Assert.NotNull(bucket.Object(BundleLayout.BundleObject(id)));
    }

    [Fact]
    public async Task UploadChunk_503_IsResumedByTheClient()
    {
        await using var bucket = await FakeBucket.StartAsync(o => o with { ChunkSize = 256 * 1024 });
        bucket.Server.Faults.FailNext(FakeStorageOperation.UploadChunk, 503, after: 2);
        var id = StoreSamples.Id();
        var content = StoreSamples.Content(4 * 256 * 1024);

        Assert.Equal(CreateResult.Created, await bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default));

        Assert.Equal(1, bucket.Server.Requests.Count(FakeStorageOperation.UploadStart));
        Assert.Equal(content, bucket.Object(BundleLayout.BundleObject(id))!.Content.ToArray());
    }

    [Fact]
    public async Task ConnectionDroppedMidUpload_IsResumedAndTheBytesAreIntact()
    {
        await using var bucket = await FakeBucket.StartAsync(o => o with { ChunkSize = 256 * 1024 });
        bucket.Server.Faults.DropConnectionNext(FakeStorageOperation.UploadChunk, after: 2);
        var id = StoreSamples.Id();
        var content = StoreSamples.Content((4 * 256 * 1024) + 77);

        Assert.Equal(CreateResult.Created, await bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default));

        Assert.Contains(bucket.Server.Requests.All, r => r.Operation == FakeStorageOperation.UploadChunk && r.StatusCode == 0);
        Assert.Equal(content, bucket.Object(BundleLayout.BundleObject(id))!.Content.ToArray());
    }

    [Fact]
    public async Task Persistent503_FailsWithStoreExceptionAfterMaxAttempts()
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Faults.FailAlways(FakeStorageOperation.UploadStart, 503);

        var ex = await Assert.ThrowsAsync<EvidenceStoreException>(() => GcsEvidenceStoreTest.CreateBundleAsync(bucket, StoreSamples.Id()));

        Assert.Contains("after 4 attempts", ex.Message, StringComparison.Ordinal);
        Assert.Contains("503", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, bucket.Server.Requests.Count(FakeStorageOperation.UploadStart));
    }

    [Fact]
    public async Task Persistent503OnMetadataRead_FailsWithStoreException()
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Faults.FailAlways(FakeStorageOperation.GetObject, 503);

        var ex = await Assert.ThrowsAsync<EvidenceStoreException>(() => bucket.Store.GetBundleAsync(StoreSamples.Id(), default));

        Assert.Contains("503", ex.Message, StringComparison.Ordinal);
        Assert.True(bucket.Server.Requests.Count(FakeStorageOperation.GetObject) > 1, "the client retries reads itself");
    }

    [Fact]
    public async Task MetadataRead_429Once_IsRetriedByTheClient()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var id = StoreSamples.Id();
        await GcsEvidenceStoreTest.CreateBundleAsync(bucket, id);
        bucket.Server.Faults.FailNext(FakeStorageOperation.GetObject, 429);

        Assert.NotNull(await bucket.Store.GetBundleAsync(id, default));
        Assert.Equal(2, bucket.Server.Requests.Count(FakeStorageOperation.GetObject));
    }

    [Fact]
    public async Task Download_503OnceOrDropped_IsStartedAgain()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var id = StoreSamples.Id();
        var content = StoreSamples.Content(100_000);
        await bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default);
        bucket.Server.Faults.FailNext(FakeStorageOperation.Download, 503);
        bucket.Server.Faults.DropConnectionNext(FakeStorageOperation.Download);

        Assert.Equal(content, await StoreSamples.ReadAllAsync(await bucket.Store.OpenBundleAsync(id, default)));
        Assert.Equal(3, bucket.Server.Requests.Count(FakeStorageOperation.Download));
    }

    [Fact]
    public async Task SlowAnswers_WithinTheTimeout_Succeed()
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Faults.DelayNext(FakeStorageOperation.UploadStart, TimeSpan.FromMilliseconds(200));

        Assert.Equal(CreateResult.Created, await GcsEvidenceStoreTest.CreateBundleAsync(bucket, StoreSamples.Id()));
    }

    [Fact]
    public async Task SlowAnswers_PastTheTimeout_FailWithStoreException()
    {
        await using var bucket = await FakeBucket.StartAsync(o => o with { OperationTimeout = TimeSpan.FromMilliseconds(300) });
        bucket.Server.Faults.DelayNext(FakeStorageOperation.GetObject, TimeSpan.FromSeconds(30), times: 10);

        var ex = await Assert.ThrowsAsync<EvidenceStoreException>(() => bucket.Store.GetBundleAsync(StoreSamples.Id(), default));

        Assert.Contains("did not finish within 0.3 s", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedRequest_FailsAtOnceWithTheServiceMessage()
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Faults.FailNext(FakeStorageOperation.UploadStart, 403);

        var ex = await Assert.ThrowsAsync<EvidenceStoreException>(() => GcsEvidenceStoreTest.CreateBundleAsync(bucket, StoreSamples.Id()));

        Assert.Contains("403 Forbidden: Injected fault: 403.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, bucket.Server.Requests.Count(FakeStorageOperation.UploadStart));
    }

    [Fact]
    public async Task CallerCancellation_IsNotAStoreFailure()
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Faults.DelayNext(FakeStorageOperation.UploadStart, TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var id = StoreSamples.Id();
        var content = StoreSamples.Content(100);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), cancel.Token));
    }
}
