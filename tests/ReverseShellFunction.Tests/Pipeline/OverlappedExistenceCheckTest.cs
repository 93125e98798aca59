using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Pipeline;

/// <summary>
/// The already-stored check of the delivery that holds the lease runs alongside the collectors. Its answer is held
/// back until a collector has started, so these tests can only pass when the two really overlap; a failing check
/// must still fail the delivery. A redelivery within the lease finds the stored part before collecting anything.
/// </summary>
public sealed class OverlappedExistenceCheckTest : IDisposable
{
    // A bound, not a measurement: long enough for any machine, short enough that a broken overlap fails the test.
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(20);

    private readonly TempFolder _folder = new();
    private readonly LocalEvidenceStore _local;

    public OverlappedExistenceCheckTest() => _local = new LocalEvidenceStore(_folder.Path);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task NewEvent_CheckAnswersOnlyOnceCollectionRuns_IsStored()
    {
        var collector = new SlowCollector(finishes: true);
        var store = new HeldCheckStore(_local, collector.Started);

        var result = await Harness(store, collector).PushAsync(TestData.Sample("reverse-shell.notification.json"));

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.True(store.AnsweredAfterCollectionStarted, "the existence check answered only after a collector had started");
        Assert.Single(Files("bundles"));
        Assert.Single(Files("index"));
    }

    [Fact]
    public async Task Redelivery_WithinTheLease_IsAlreadyStored_WithoutCollecting()
    {
        var first = await new PipelineHarness(_local).PushAsync(TestData.Sample("reverse-shell.notification.json"), "1");
        var before = Files("").Select(File.ReadAllBytes).ToList();
        var collector = new SlowCollector(finishes: false);

        // The first delivery's lease is still running: the redelivery looks for its part 1 before anything else.
        var second = await Harness(_local, collector).PushAsync(TestData.Sample("reverse-shell.notification.json"), "2");

        Assert.Equal(PipelineOutcome.AlreadyStored, second.Outcome);
        Assert.Equal("bundle already stored (redelivery)", second.Reason);
        Assert.Equal(first.BundleId, second.BundleId);
        Assert.False(collector.Started.IsCompleted, "nothing was collected");
        Assert.Equal(before, Files("").Select(File.ReadAllBytes).ToList());
    }

    [Fact]
    public async Task FailingCheck_WhileCollectionIsSlow_FailsTheDelivery_WritesNothing_AndCancelsCollection()
    {
        var collector = new SlowCollector(finishes: false);
        var store = new HeldCheckStore(_local, collector.Started, fail: true);

        await Assert.ThrowsAsync<EvidenceStoreException>(() => Harness(store, collector).PushAsync(TestData.Sample("reverse-shell.notification.json")));

        Assert.True(collector.Cancelled, "the collection was cancelled when the check failed");
        Assert.Equal(0, store.Writes);
        Assert.Empty(Files("bundles"));
        Assert.Empty(Files("index"));
        Assert.Single(Files("claims"));
    }

    [Fact]
    public async Task BucketCheck_FailsOnceWith503_IsRetried_AndTheEventStored()
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Faults.FailNext(Fakes.Storage.FakeStorageOperation.GetObject, 503);

        var result = await PipelineDeliveries.Processor(bucket.Store).ProcessAsync(PipelineDeliveries.SampleDelivery(), default);

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.Equal(2, bucket.Server.Requests.Count(Fakes.Storage.FakeStorageOperation.GetObject));
        Assert.Single(bucket.Objects(BundleLayout.BundlesPrefix));
        Assert.Single(bucket.Objects(BundleLayout.IndexPrefix));
    }

    [Fact]
    public async Task BucketCheck_Always503_FailsTheDelivery_AndWritesNothing()
    {
        await using var bucket = await FakeBucket.StartAsync();
        bucket.Server.Faults.FailAlways(Fakes.Storage.FakeStorageOperation.GetObject, 503);

        await Assert.ThrowsAsync<EvidenceStoreException>(
            () => PipelineDeliveries.Processor(bucket.Store).ProcessAsync(PipelineDeliveries.SampleDelivery(), default));

        // Only the delivery's lease, which expires: a redelivery then takes over.
        Assert.Equal([BundleLayout.ClaimsPrefix], bucket.Objects("").Select(o => o.Name[..(o.Name.IndexOf('/') + 1)]).Distinct());
    }

    private static PipelineHarness Harness(IEvidenceStore store, ICollector collector) =>
        new(store, [collector], collection: Defaults.Collection with { Deadline = TimeSpan.FromMinutes(5), CollectorTimeout = TimeSpan.FromMinutes(5) });

    private string[] Files(string prefix)
    {
        var directory = Path.Combine(_folder.Path, prefix);
        return Directory.Exists(directory) ? [.. Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)] : [];
    }

    /// <summary>Runs until cancelled (or, with <c>finishes</c>, returns once started), and says whether it was cancelled.</summary>
    private sealed class SlowCollector(bool finishes) : ICollector
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "related-findings";

        public Task Started => _started.Task;

        public bool Cancelled { get; private set; }

        public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
        {
            _started.TrySetResult();
            if (!finishes)
            {
                try
                {
                    await Task.Delay(s_bound * 2, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Cancelled = true;
                    throw;
                }
            }

            return new CollectorReport { Name = Name, Status = CollectorStatus.Ok, ItemCount = 0 };
        }
    }

    /// <summary>
    /// The local store, with the part 1 existence check held until collection has started (or the bound passed),
    /// as a bucket's network round trip would be; optionally failing as an unavailable bucket does. Counts writes.
    /// </summary>
    private sealed class HeldCheckStore(IEvidenceStore inner, Task collectionStarted, bool fail = false) : IEvidenceStore
    {
        private int _checks;
        private int _writes;

        public bool AnsweredAfterCollectionStarted { get; private set; }

        public int Writes => _writes;

        public string Location => inner.Location;

        public async Task<StoredObject?> GetBundleAsync(BundleId id, CancellationToken cancellationToken)
        {
            // Only the first check (the delivery's) is held; a redelivery's repair walk reads without waiting.
            if (Interlocked.Increment(ref _checks) == 1)
            {
                await Task.WhenAny(collectionStarted, Task.Delay(s_bound, cancellationToken));
                AnsweredAfterCollectionStarted = collectionStarted.IsCompleted;
                if (fail)
                {
                    throw new EvidenceStoreException("Simulated 503 from the bucket that outlasted the retries.");
                }
            }

            return await inner.GetBundleAsync(id, cancellationToken);
        }

        public Task<StoredObject?> GetIndexEntryObjectAsync(BundleId id, CancellationToken cancellationToken) => inner.GetIndexEntryObjectAsync(id, cancellationToken);

        public Task<CreateResult> CreateBundleAsync(BundleId id, Stream content, BundleMetadata metadata, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _writes);
            return inner.CreateBundleAsync(id, content, metadata, cancellationToken);
        }

        public Task<CreateResult> CreateIndexEntryAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _writes);
            return inner.CreateIndexEntryAsync(id, json, cancellationToken);
        }

        public Task<CreateResult> CreatePendingAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _writes);
            return inner.CreatePendingAsync(id, json, cancellationToken);
        }

        public Task<CreateResult> CreateQuarantineAsync(string objectName, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _writes);
            return inner.CreateQuarantineAsync(objectName, json, cancellationToken);
        }

        public Task<byte[]?> ReadPendingAsync(BundleId id, CancellationToken cancellationToken) => inner.ReadPendingAsync(id, cancellationToken);

        // The lease is not a write of evidence: not counted.
        public Task<CreateResult> CreateClaimAsync(BundleId id, int generation, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
            inner.CreateClaimAsync(id, generation, json, cancellationToken);

        public Task<byte[]?> ReadClaimAsync(BundleId id, int generation, CancellationToken cancellationToken) => inner.ReadClaimAsync(id, generation, cancellationToken);

        public IAsyncEnumerable<string> ListPendingObjectNamesAsync(CancellationToken cancellationToken) => inner.ListPendingObjectNamesAsync(cancellationToken);

        public Task<Stream> OpenBundleAsync(BundleId id, CancellationToken cancellationToken) => inner.OpenBundleAsync(id, cancellationToken);

        public Task<byte[]?> ReadIndexEntryAsync(BundleId id, CancellationToken cancellationToken) => inner.ReadIndexEntryAsync(id, cancellationToken);

        public IAsyncEnumerable<string> ListIndexObjectNamesAsync(CancellationToken cancellationToken) => inner.ListIndexObjectNamesAsync(cancellationToken);

        public IAsyncEnumerable<StoredObject> ListBundleObjectsAsync(CancellationToken cancellationToken) => inner.ListBundleObjectsAsync(cancellationToken);
    }
}
