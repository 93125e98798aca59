using ReverseShellFunction.Bundle;
using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Store;

/// <summary>Damaged or misreported bytes are caught on the way in and on the way out, never stored silently.</summary>
public sealed class GcsIntegrityTest
{
    [Fact]
    public async Task ServiceReportsOtherHashesThanWereSent_UploadFailsAndIsNotRetried()
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Faults.MisreportHashesNext();

        var ex = await Assert.ThrowsAsync<EvidenceStoreException>(() => GcsEvidenceStoreTest.CreateBundleAsync(bucket, StoreSamples.Id()));

        Assert.Contains("Integrity check failed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("crc32c AAAAAA== stored", ex.Message, StringComparison.Ordinal);
        Assert.Contains("md5Hash AAAAAAAAAAAAAAAAAAAAAA== stored", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, bucket.Server.Requests.Count(FakeStorageOperation.UploadStart));
    }

    [Fact]
    public async Task BytesDamagedInTransit_AreRejectedByTheServiceAndNothingIsStored()
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Faults.CorruptNextUpload();
        var id = StoreSamples.Id();

        var ex = await Assert.ThrowsAsync<EvidenceStoreException>(() => GcsEvidenceStoreTest.CreateBundleAsync(bucket, id));

        Assert.Contains("doesn't match calculated CRC32C", ex.Message, StringComparison.Ordinal);
        Assert.Null(bucket.Object(BundleLayout.BundleObject(id)));
    }

    [Fact]
    public async Task DownloadDamagedOnce_IsCaughtByTheClientAndFetchedAgain()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var id = StoreSamples.Id();
        var content = StoreSamples.Content(70_000);
        await bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default);
        bucket.Server.Faults.CorruptNextDownload();

        Assert.Equal(content, await StoreSamples.ReadAllAsync(await bucket.Store.OpenBundleAsync(id, default)));
        Assert.Equal(2, bucket.Server.Requests.Count(FakeStorageOperation.Download));
    }

    [Fact]
    public async Task DownloadDamagedEveryTime_FailsWithStoreException()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var id = StoreSamples.Id();
        await GcsEvidenceStoreTest.CreateBundleAsync(bucket, id);
        bucket.Server.Faults.CorruptNextDownload(times: 100);

        var ex = await Assert.ThrowsAsync<EvidenceStoreException>(() => bucket.Store.OpenBundleAsync(id, default));

        Assert.Contains("Incorrect hash", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoredBytesNotMatchingTheirSha256Metadata_AreReadAsStored_ForTheAuditorToJudge()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var id = StoreSamples.Id();
        await GcsEvidenceStoreTest.CreateBundleAsync(bucket, id);
        bucket.Server.Objects.Update(FakeBucket.Name, BundleLayout.BundleObject(id), o => o with
        {
            Metadata = new Dictionary<string, string>(o.Metadata) { ["sha256"] = new string('0', 64) },
        });

        var stored = await bucket.Store.GetBundleAsync(id, default);
        await using var bytes = await bucket.Store.OpenBundleAsync(id, default);

        Assert.Equal(new string('0', 64), stored!.MetadataSha256);
        Assert.Equal(bucket.Object(BundleLayout.BundleObject(id))!.Content.ToArray(), await StoreSamples.ReadAllAsync(bytes));
    }
}
