using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Store;

/// <summary>
/// Deliveries through the intake pipeline into the bucket store (real client, fake service): redeliveries and
/// concurrent deliveries of one finding event leave exactly one bundle and one index entry.
/// </summary>
public sealed class GcsPipelineTest
{
    [Fact]
    public async Task TenConcurrentDeliveriesOfOneFinding_StoreOneBundleAndOneIndexEntry()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var processor = PipelineDeliveries.Processor(bucket.Store);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            Task.Run(() => processor.ProcessAsync(PipelineDeliveries.SampleDelivery(), default))));

        Assert.Single(results, r => r.Outcome == PipelineOutcome.Stored);
        Assert.Equal(9, results.Count(r => r.Outcome == PipelineOutcome.AlreadyStored));
        Assert.Single(results.Select(r => r.BundleId).Distinct());
        Assert.Single(bucket.Objects(BundleLayout.BundlesPrefix));
        Assert.Single(bucket.Objects(BundleLayout.IndexPrefix));
        Assert.All(results, r => Assert.Equal(results[0].IndexEntry!.Bundle, r.IndexEntry!.Bundle));
    }

    [Fact]
    public async Task HundredDistinctFindingsConcurrently_StoreHundredBundlesAndEntries()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var processor = PipelineDeliveries.Processor(bucket.Store);

        var results = await Task.WhenAll(Enumerable.Range(1, 100).Select(number =>
            Task.Run(() => processor.ProcessAsync(PipelineDeliveries.DistinctFinding(number), default))));

        Assert.All(results, r => Assert.Equal(PipelineOutcome.Stored, r.Outcome));
        Assert.Equal(100, results.Select(r => r.BundleId).Distinct().Count());
        Assert.Equal(100, bucket.Objects(BundleLayout.BundlesPrefix).Count);
        Assert.Equal(100, bucket.Objects(BundleLayout.IndexPrefix).Count);
        Assert.Equal(100, await bucket.Store.ListIndexObjectNamesAsync(default).CountAsync());
    }

    [Fact]
    public async Task CrashBetweenBundleAndIndex_RedeliveryCompletesTheIndex()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var crashing = PipelineDeliveries.Processor(new CrashBeforeIndexStore(bucket.Store));
        await Assert.ThrowsAsync<EvidenceStoreException>(() => crashing.ProcessAsync(PipelineDeliveries.SampleDelivery(), default));
        Assert.Single(bucket.Objects(BundleLayout.BundlesPrefix));
        Assert.Empty(bucket.Objects(BundleLayout.IndexPrefix));

        var result = await PipelineDeliveries.Processor(bucket.Store).ProcessAsync(PipelineDeliveries.SampleDelivery(), default);

        Assert.Equal(PipelineOutcome.AlreadyStored, result.Outcome);
        Assert.Contains("index entry completed", result.Reason, StringComparison.Ordinal);
        var bundle = Assert.Single(bucket.Objects(BundleLayout.BundlesPrefix));
        Assert.Single(bucket.Objects(BundleLayout.IndexPrefix));
        Assert.Equal(bundle.Metadata["sha256"], result.IndexEntry!.Bundle.Sha256);
        Assert.Equal(bundle.Size, result.IndexEntry.Bundle.Size);
    }

    [Fact]
    public async Task CrashBetweenBundleAndIndex_RepairDownloadsThePartOnce()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var crashing = PipelineDeliveries.Processor(new CrashBeforeIndexStore(bucket.Store));
        await Assert.ThrowsAsync<EvidenceStoreException>(() => crashing.ProcessAsync(PipelineDeliveries.SampleDelivery(), default));
        var before = bucket.Server.Requests.All.Count;

        var result = await PipelineDeliveries.Processor(bucket.Store).ProcessAsync(PipelineDeliveries.SampleDelivery(), default);

        // Size, SHA-256, summary, manifest and seal all come from one download of the part.
        Assert.Contains("index entry completed", result.Reason, StringComparison.Ordinal);
        var partDownloads = bucket.Server.Requests.All.Skip(before)
            .Count(r => r.Operation == Fakes.Storage.FakeStorageOperation.Download && Uri.UnescapeDataString(r.Target).Contains("/" + BundleLayout.BundlesPrefix, StringComparison.Ordinal));
        Assert.Equal(1, partDownloads);
        Assert.Equal(Assert.Single(bucket.Objects(BundleLayout.BundlesPrefix)).Metadata["sha256"], result.IndexEntry!.Bundle.Sha256);
    }

    [Fact]
    public async Task CrashThenTamperedBundle_RedeliveryRefusesToIndexIt()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var crashing = PipelineDeliveries.Processor(new CrashBeforeIndexStore(bucket.Store));
        await Assert.ThrowsAsync<EvidenceStoreException>(() => crashing.ProcessAsync(PipelineDeliveries.SampleDelivery(), default));
        var name = Assert.Single(bucket.Objects(BundleLayout.BundlesPrefix)).Name;
        bucket.Server.Objects.Update(FakeBucket.Name, name, o => o with
        {
            Metadata = new Dictionary<string, string>(o.Metadata) { ["sha256"] = new string('0', 64) },
        });

        var ex = await Assert.ThrowsAsync<EvidenceStoreException>(
            () => PipelineDeliveries.Processor(bucket.Store).ProcessAsync(PipelineDeliveries.SampleDelivery(), default));

        Assert.Contains("Integrity check failed", ex.Message, StringComparison.Ordinal);
        Assert.Empty(bucket.Objects(BundleLayout.IndexPrefix));
    }

    [Fact]
    public async Task UnreadableDelivery_IsQuarantinedInTheBucket()
    {
        await using var bucket = await FakeBucket.StartAsync();

        var result = await PipelineDeliveries.Processor(bucket.Store).ProcessAsync(PipelineDeliveries.Push("not json"u8.ToArray()), default);

        Assert.Equal(PipelineOutcome.Quarantined, result.Outcome);
        var quarantined = Assert.Single(bucket.Objects(BundleLayout.QuarantinePrefix));
        Assert.Equal(result.ObjectName, quarantined.Name);
        Assert.Equal("application/json", quarantined.ContentType);
    }

    [Fact]
    public async Task BucketUnavailable_DeliveryFailsWithStoreException()
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Faults.FailAlways(Fakes.Storage.FakeStorageOperation.UploadStart, 503);

        await Assert.ThrowsAsync<EvidenceStoreException>(
            () => PipelineDeliveries.Processor(bucket.Store).ProcessAsync(PipelineDeliveries.SampleDelivery(), default));
        Assert.Empty(bucket.Objects(""));
    }
}
