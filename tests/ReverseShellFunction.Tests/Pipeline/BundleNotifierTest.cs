using ReverseShellFunction.Bundle;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Pipeline;

/// <summary>The notification hook: once per stored bundle, after its index entry, and never at the evidence's expense.</summary>
public sealed class BundleNotifierTest : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task StoredBundle_NotifiesOnceAfterItsIndexEntry_RedeliveryNotifiesNone()
    {
        var store = new LocalEvidenceStore(_folder.Path);
        var notifier = new RecordingNotifier(store);
        var harness = new PipelineHarness(store, FakeCollector.StandardSet(), notifier: notifier);

        var first = await harness.PushAsync(TestData.Sample("reverse-shell.notification.json"), "1");
        var second = await harness.PushAsync(TestData.Sample("reverse-shell.notification.json"), "2");

        Assert.Equal(PipelineOutcome.Stored, first.Outcome);
        Assert.Equal(PipelineOutcome.AlreadyStored, second.Outcome);
        var sent = Assert.Single(notifier.Sent);
        Assert.True(notifier.IndexEntryExistedWhenSent, "the index entry is written before anyone is told");
        Assert.Equal(first.BundleId, sent.BundleId);
        Assert.Equal("incomplete", sent.Completeness);
        Assert.Equal((3, 4), (sent.CollectorsOk, sent.Collectors));
        Assert.Equal(Path.Combine(_folder.Path, first.IndexEntry!.Bundle.ObjectName), sent.ObjectUri);
        Assert.Equal(first.IndexEntry.Bundle.Sha256, sent.Sha256);
        Assert.Equal(first.IndexEntry.Summary.Headline, sent.Headline);
    }

    [Fact]
    public async Task NotifierFails_DeliveryStillStored_AndIndexed()
    {
        var store = new LocalEvidenceStore(_folder.Path);
        var harness = new PipelineHarness(store, FakeCollector.StandardSet(), notifier: new FailingNotifier());

        var result = await harness.PushAsync(TestData.Sample("reverse-shell.notification.json"));

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.NotNull(await store.ReadIndexEntryAsync(ReverseShellFunction.Bundle.BundleId.Parse(result.BundleId!), CancellationToken.None));
    }

    [Theory]
    [InlineData("evidence-stored")]
    [InlineData("projects/p/topics/t")]
    [InlineData("projects/my-project/topics/../x")]
    [InlineData("projects/my-project/subscriptions/evidence")]
    public void BadNotifyTopic_FailsAtStartNamingTheVariable(string topic)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => FunctionSettings.From(name => name == "NOTIFY_TOPIC" ? topic : null));

        Assert.StartsWith("NOTIFY_TOPIC must be a topic name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotifyTopic_IsReadWithItsEndpoint()
    {
        var settings = FunctionSettings.From(name => name switch
        {
            "NOTIFY_TOPIC" => "projects/shop-sec-1/topics/evidence-stored",
            "PUBSUB_API_ENDPOINT" => "http://127.0.0.1:8085",
            _ => null,
        });

        Assert.Equal("projects/shop-sec-1/topics/evidence-stored", settings.NotifyTopic);
        Assert.Equal("http://127.0.0.1:8085", settings.PubSubEndpoint);
        Assert.Null(FunctionSettings.From(_ => null).NotifyTopic);
    }

    private sealed class RecordingNotifier(IEvidenceStore store) : IBundleNotifier
    {
        public List<BundleNotification> Sent { get; } = [];

        public bool IndexEntryExistedWhenSent { get; private set; }

        public async Task NotifyAsync(BundleNotification notification, CancellationToken cancellationToken)
        {
            IndexEntryExistedWhenSent = await store.ReadIndexEntryAsync(ReverseShellFunction.Bundle.BundleId.Parse(notification.BundleId), cancellationToken) is not null;
            Sent.Add(notification);
        }
    }

    private sealed class FailingNotifier : IBundleNotifier
    {
        public Task NotifyAsync(BundleNotification notification, CancellationToken cancellationToken) =>
            throw new HttpRequestException("403 PERMISSION_DENIED: User not authorized to perform this action.");
    }
}
