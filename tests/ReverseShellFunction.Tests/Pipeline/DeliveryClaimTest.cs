using Microsoft.Extensions.Time.Testing;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Pipeline;

/// <summary>
/// The lease on collecting part 1: a duplicate of an event whose first delivery is still collecting does not collect
/// again, and the event is not lost when that first delivery dies (its lease expires and a later delivery takes over).
/// </summary>
public sealed class DeliveryClaimTest : IDisposable
{
    private static readonly DateTimeOffset s_received = RawDeliveries.ReceivedAt;
    private readonly TempFolder _folder = new();
    private readonly LocalEvidenceStore _store;

    public DeliveryClaimTest() => _store = new LocalEvidenceStore(_folder.Path);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task DuplicateWhileTheFirstCollects_WaitsForItsPart1_AndNothingIsCollectedTwice()
    {
        var collector = new GatedCollector();
        var (processor, _) = Pipelines.Build(_store, [collector], time: new FixedTimeProvider(s_received));

        var first = processor.ProcessAsync(Push("1"), CancellationToken.None);
        await collector.Started.WaitAsync(TimeSpan.FromSeconds(30));
        var second = processor.ProcessAsync(Push("2"), CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(second.IsCompleted, "the duplicate waits for the first delivery's part 1");
        collector.Release();

        Assert.Equal(PipelineOutcome.Stored, (await first).Outcome);
        var duplicate = await second;
        Assert.Equal(PipelineOutcome.AlreadyStored, duplicate.Outcome);
        Assert.Equal(1, collector.Calls);
        Assert.Single(Files("bundles"));
        Assert.Equal(["claim-1"], Claims());
    }

    [Fact]
    public async Task FirstDeliveryDied_DuplicateIsNotAcknowledged_ThenARedeliveryTakesOverOnceTheLeaseExpired()
    {
        // What a delivery that died while collecting leaves: its lease, nothing else.
        var id = BundleIdOfSample();
        var lease = new ClaimRecord { BundleId = id.Value, Generation = 1, ClaimedAt = s_received, ExpiresAt = s_received.AddSeconds(12) };
        await _store.CreateClaimAsync(id, 1, EvidenceJson.Serialize(lease), CancellationToken.None);
        var collector = new GatedCollector(open: true);
        var clock = new FakeTimeProvider(s_received.AddSeconds(7));
        var (processor, _) = Pipelines.Build(_store, [collector], time: clock);

        // Within the lease and past the point where its own collectors would stop: "not yet", nothing collected.
        var duplicate = await processor.ProcessAsync(Push("2"), CancellationToken.None);
        Assert.Equal(PipelineOutcome.InFlight, duplicate.Outcome);
        Assert.Equal(0, collector.Calls);
        Assert.Empty(Files("bundles"));

        // Pub/Sub delivers it again after the lease has expired: that delivery takes over with generation 2.
        clock.SetUtcNow(s_received.AddSeconds(20));
        var redelivery = await processor.ProcessAsync(Push("2", s_received.AddSeconds(20)), CancellationToken.None);
        Assert.Equal(PipelineOutcome.Stored, redelivery.Outcome);
        Assert.Equal(1, collector.Calls);
        Assert.Equal(["claim-1", "claim-2"], Claims());

        // And a later redelivery collects nothing.
        var late = await processor.ProcessAsync(Push("2", s_received.AddSeconds(25)), CancellationToken.None);
        Assert.Equal(PipelineOutcome.AlreadyStored, late.Outcome);
        Assert.Equal(1, collector.Calls);
    }

    [Fact]
    public async Task FirstDeliveryDiedAfterStoringPart1_RedeliveryWithinTheLease_IsAlreadyStored_AndTheIndexEntryRepaired()
    {
        var (processor, _) = Pipelines.Build(new CrashBeforeIndexStore(_store), [new GatedCollector(open: true)], time: new FixedTimeProvider(s_received));
        await Assert.ThrowsAsync<EvidenceStoreException>(() => processor.ProcessAsync(Push("1"), CancellationToken.None));
        var collector = new GatedCollector(open: true);
        (processor, _) = Pipelines.Build(_store, [collector], time: new FixedTimeProvider(s_received.AddSeconds(1)));

        var redelivery = await processor.ProcessAsync(Push("1", s_received.AddSeconds(1)), CancellationToken.None);

        Assert.Equal(PipelineOutcome.AlreadyStored, redelivery.Outcome);
        Assert.Contains("index entry completed from the stored part", redelivery.Reason, StringComparison.Ordinal);
        Assert.Equal(0, collector.Calls);
        Assert.Single(Files("index"));
    }

    [Fact]
    public async Task ALeaseThatDoesNotRead_IsTakenOver_NotWaitedFor()
    {
        var id = BundleIdOfSample();
        await _store.CreateClaimAsync(id, 1, "{\"not\": \"a lease\"}"u8.ToArray(), CancellationToken.None);
        var collector = new GatedCollector(open: true);
        var (processor, _) = Pipelines.Build(_store, [collector], time: new FixedTimeProvider(s_received));

        var result = await processor.ProcessAsync(Push("1"), CancellationToken.None);

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.Equal(["claim-1", "claim-2"], Claims());
    }

    private static RawDelivery Push(string messageId, DateTimeOffset? receivedAt = null) =>
        RawDeliveries.Push(Notifications.PushBody(TestData.Sample("reverse-shell.notification.json"), messageId)) with { ReceivedAt = receivedAt ?? s_received };

    private static BundleId BundleIdOfSample()
    {
        var notification = NotificationDecoder.Parse(TestData.Sample("reverse-shell.notification.json"), s_received);
        return BundleId.For(notification.Finding.Name!, notification.EventTime);
    }

    private string[] Files(string prefix)
    {
        var directory = Path.Combine(_folder.Path, prefix);
        return Directory.Exists(directory) ? [.. Directory.GetFiles(directory, "*", SearchOption.AllDirectories)] : [];
    }

    private string[] Claims() =>
        [.. Files(BundleLayout.ClaimsPrefix).Select(f => Path.GetFileNameWithoutExtension(f)).Select(n => n[(n.LastIndexOf('.') + 1)..]).Order(StringComparer.Ordinal)];

    /// <summary>Collects nothing; holds until released (or at once when open), counting its runs.</summary>
    private sealed class GatedCollector(bool open = false) : ICollector
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public string Name => "cloud-run";

        public int Calls => _calls;

        public Task Started => _started.Task;

        public void Release() => _gate.TrySetResult();

        public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            _started.TrySetResult();
            if (!open)
            {
                await _gate.Task.WaitAsync(cancellationToken);
            }

            return new CollectorReport { Name = Name, Status = CollectorStatus.Ok, ItemCount = 0 };
        }
    }
}
