using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Store;

/// <summary>What the bucket store writes into objects, and how it reports retention and holds.</summary>
public sealed class GcsEvidenceStoreTest
{
    [Fact]
    public async Task BundleObject_CarriesMetadataCustomTimeAndContentType()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var id = StoreSamples.Id();
        var content = StoreSamples.Content(4096);
        var metadata = StoreSamples.Metadata(id, content);

        await bucket.Store.CreateBundleAsync(id, new MemoryStream(content), metadata, default);

        var stored = bucket.Object(BundleLayout.BundleObject(id));
        Assert.NotNull(stored);
        Assert.Equal("application/zip", stored.ContentType);
        Assert.Equal(id.EventTime, stored.CustomTime);
        Assert.Equal(metadata.Sha256, stored.Metadata["sha256"]);
        Assert.Equal(id.Value, stored.Metadata["bundleId"]);
        Assert.Equal(StoreSamples.FindingName, stored.Metadata["findingName"]);
        Assert.Equal("2026-11-28T21:14:07.482Z", stored.Metadata["eventTime"]);
        var described = await bucket.Store.GetBundleAsync(id, default);
        Assert.Equal(metadata.Sha256, described!.MetadataSha256);
        Assert.Equal(id.Value, described.Metadata["bundleId"]);
    }

    [Fact]
    public async Task IndexAndQuarantineObjects_AreJson()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var id = StoreSamples.Id();
        var quarantine = BundleLayout.QuarantineObject(StoreSamples.EventTime, new string('b', 64), "0011223344556677");

        await bucket.Store.CreateIndexEntryAsync(id, StoreSamples.Json("{}"), default);
        await bucket.Store.CreateQuarantineAsync(quarantine, StoreSamples.Json("{}"), default);

        Assert.Equal("application/json", bucket.Object(BundleLayout.IndexObject(id))!.ContentType);
        Assert.Equal("application/json", bucket.Object(quarantine)!.ContentType);
        Assert.Equal("gs://evidence-test", bucket.Store.Location);
    }

    [Fact]
    public async Task RetentionState_DescribesPolicyObjectRetentionAndHolds()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var id = StoreSamples.Id();
        await CreateBundleAsync(bucket, id);
        Assert.Equal("no retention; no holds", (await bucket.Store.GetBundleAsync(id, default))!.RetentionState);

        bucket.Server.Objects.Update(FakeBucket.Name, BundleLayout.BundleObject(id), o => o with
        {
            RetentionExpirationTime = new DateTimeOffset(2027, 5, 1, 10, 0, 0, TimeSpan.Zero),
            RetentionMode = "Locked",
            RetainUntilTime = new DateTimeOffset(2028, 1, 2, 3, 4, 5, TimeSpan.Zero),
            TemporaryHold = true,
            EventBasedHold = true,
        });

        Assert.Equal(
            "retained until 2027-05-01T10:00:00Z (bucket retention policy); object retention Locked until 2028-01-02T03:04:05Z; temporary hold, event-based hold",
            (await bucket.Store.GetBundleAsync(id, default))!.RetentionState);
    }

    [Fact]
    public async Task UnderARetentionPolicy_WritesStillWorkBecauseNothingIsReplaced()
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Objects.SetRetentionPolicy(FakeBucket.Name, TimeSpan.FromDays(365));
        var id = StoreSamples.Id();

        Assert.Equal(CreateResult.Created, await CreateBundleAsync(bucket, id));
        Assert.Equal(CreateResult.AlreadyExists, await CreateBundleAsync(bucket, id));
        Assert.Equal(CreateResult.Created, await bucket.Store.CreateIndexEntryAsync(id, StoreSamples.Json("{}"), default));
        Assert.StartsWith("retained until ", (await bucket.Store.GetBundleAsync(id, default))!.RetentionState, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LargeBundle_IsUploadedInResumableChunks()
    {
        await using var bucket = await FakeBucket.StartAsync(o => o with { ChunkSize = 256 * 1024 });
        var id = StoreSamples.Id();
        var content = StoreSamples.Content((5 * 256 * 1024) + 123);

        await bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default);

        Assert.Equal(6, bucket.Server.Requests.Count(Fakes.Storage.FakeStorageOperation.UploadChunk));
        Assert.Equal(content, bucket.Object(BundleLayout.BundleObject(id))!.Content.ToArray());
    }

    internal static Task<CreateResult> CreateBundleAsync(FakeBucket bucket, ReverseShellFunction.Bundle.BundleId id, int size = 2048)
    {
        var content = StoreSamples.Content(size);
        return bucket.Store.CreateBundleAsync(id, new MemoryStream(content), StoreSamples.Metadata(id, content), default);
    }
}
