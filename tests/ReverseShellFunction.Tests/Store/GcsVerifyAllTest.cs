using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Fakes.Storage;

namespace ReverseShellFunction.Tests.Store;

/// <summary>
/// <c>verify --all</c> over a bucket costs what its checks need and no more: on a bucket the time is request latency,
/// and a request made one bundle after the other (outside the parts in flight) costs a round trip per bundle.
/// </summary>
public sealed class GcsVerifyAllTest
{
    [Fact]
    public async Task VerifyAll_ReadsEachIndexEntryOnce_AndVerifiesEveryBundle()
    {
        await using var bucket = await FakeBucket.StartAsync();
        var processor = PipelineDeliveries.Processor(bucket.Store);
        for (var number = 1; number <= 6; number++)
        {
            Assert.Equal(PipelineOutcome.Stored, (await processor.ProcessAsync(PipelineDeliveries.DistinctFinding(number), default)).Outcome);
        }

        var before = bucket.Server.Requests.All.Count;
        var results = new List<BundleVerification>();
        await foreach (var result in new StoreAudit(bucket.Store).VerifyAllAsync(EventTimeRange.All, 4, CancellationToken.None))
        {
            results.Add(result);
        }

        Assert.Equal(6, results.Count);
        Assert.All(results, r => Assert.True(r.Verified, string.Join("; ", r.Problems.Select(p => p.Message))));

        // Each index entry's bytes are downloaded once: by its part's verification, whose reading the checks across
        // the bundle's parts (the give-up check) reuse.
        var indexDownloads = bucket.Server.Requests.All.Skip(before)
            .Where(r => r.Operation == FakeStorageOperation.Download && Uri.UnescapeDataString(r.Target).Contains("/" + BundleLayout.IndexPrefix, StringComparison.Ordinal))
            .GroupBy(r => r.Target)
            .ToList();
        Assert.Equal(6, indexDownloads.Count);
        Assert.All(indexDownloads, g => Assert.Single(g));
    }
}
