using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Pipeline;

/// <summary>
/// A pushed delivery is answered within its budget, counted from when Pub/Sub sent it as far as that can be known:
/// the collectors stop early enough to store part 1, and what they had not finished is due in part 2 at once.
/// </summary>
public sealed class DeliveryBudgetTest : IDisposable
{
    private static readonly DateTimeOffset s_received = RawDeliveries.ReceivedAt;
    private static readonly DeliveryOptions s_eight = new() { Budget = TimeSpan.FromSeconds(8) };
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void PublishedShortlyBeforeReceipt_TheWaitBeforeTheHandlerCounts()
    {
        // A cold start: published 3 s before the request reached the function.
        var budget = DeliveryBudget.For(Delivery(publishTime: "2026-11-28T21:14:38Z"), s_eight, TimeSpan.FromSeconds(3))!;

        Assert.Equal(TimeSpan.FromSeconds(3), budget.SpentBeforeReceipt);
        Assert.Equal(s_received.AddSeconds(5), budget.AnswerBy);
        Assert.Equal(s_received.AddSeconds(2), budget.CollectUntil);
    }

    [Fact]
    public void CloudEventTime_StandsInForThePublishTime()
    {
        var budget = DeliveryBudget.For(Delivery(publishTime: null, cloudEventTime: "2026-11-28T21:14:40.0000000+00:00"), s_eight, TimeSpan.FromSeconds(2))!;

        Assert.Equal(TimeSpan.FromSeconds(1), budget.SpentBeforeReceipt);
    }

    [Theory]
    [InlineData("2026-11-28T21:13:41Z")] // a minute old: a backlog or a retry, when this attempt was sent is unknown
    [InlineData("2026-11-28T21:14:51Z")] // in the future: a clock that cannot be trusted
    [InlineData("not a time")]
    public void PublishTimeThatSaysNothingAboutThisAttempt_OnlyTheReceiptCounts(string publishTime)
    {
        var budget = DeliveryBudget.For(Delivery(publishTime), s_eight, TimeSpan.FromSeconds(2))!;

        Assert.Equal(TimeSpan.Zero, budget.SpentBeforeReceipt);
        Assert.Equal(s_received.AddSeconds(8), budget.AnswerBy);
    }

    [Fact]
    public void ReplayedFile_HasNoBudget()
    {
        Assert.Null(DeliveryBudget.For(Delivery("2026-11-28T21:14:40Z") with { Mode = DeliveryMode.ReplayNotification }, s_eight, TimeSpan.Zero));
    }

    [Fact]
    public void StoreReserve_FollowsRecentStores_WithinThreeEighthsAndAHalfOfTheBudget()
    {
        var reserve = new StoreReserve();
        var budget = TimeSpan.FromSeconds(8);
        Assert.Equal(TimeSpan.FromSeconds(3), reserve.For(budget));

        reserve.Record(TimeSpan.FromSeconds(2.4));
        Assert.Equal(TimeSpan.FromSeconds(3.6), reserve.For(budget));

        reserve.Record(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(4), reserve.For(budget));

        // Only the last 16 count: one slow store does not shorten collections for ever.
        for (var i = 0; i < 16; i++)
        {
            reserve.Record(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(TimeSpan.FromSeconds(3), reserve.For(budget));
    }

    [Fact]
    public async Task SlowCollector_IsCutAtTheBudget_Part1IsStored_AndItsWorkIsDueInPart2AtOnce()
    {
        // A 2 s budget on a message published 0.78 s before receipt: the collectors have 0.47 s (3/8 kept back).
        var clock = new FakeTimeProvider(s_received);
        var store = new LocalEvidenceStore(_folder.Path);
        var (processor, _) = Pipelines.Build(
            store,
            [new HangingCollector("cloud-run"), new QuickCollector("scc-finding")],
            collection: Defaults.Collection with { Deadline = TimeSpan.FromMinutes(5), CollectorTimeout = TimeSpan.FromMinutes(5) },
            time: clock,
            delivery: Defaults.Delivery with { Budget = TimeSpan.FromSeconds(2) });
        var clockwatch = Stopwatch.StartNew();

        var result = await processor.ProcessAsync(RawDeliveries.Push(Notifications.PushBody(TestData.Sample("reverse-shell.notification.json"))), CancellationToken.None);

        Assert.True(clockwatch.Elapsed < TimeSpan.FromSeconds(30), "the hanging collector was cut off");
        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var summary = result.IndexEntry!.Summary;
        var cut = Assert.Single(summary.Collectors, c => c.Name == "cloud-run");
        Assert.Equal(CollectorStatus.Partial, cut.Status);
        Assert.StartsWith("delivery budget (DELIVERY_BUDGET_SECONDS) reached", cut.Reason, StringComparison.Ordinal);
        Assert.Equal(CollectorStatus.Ok, Assert.Single(summary.Collectors, c => c.Name == "scc-finding").Status);
        var completion = summary.Completion!;
        Assert.Equal(Completeness.Pending, completion.State);
        Assert.Equal("cloud-run", Assert.Single(completion.Outstanding).Collector);
        Assert.Equal(clock.GetUtcNow(), completion.Due);
    }

    private static DeliveryInfo Delivery(string? publishTime, string? cloudEventTime = null) => new()
    {
        Mode = DeliveryMode.PubSubPush,
        ReceivedAt = s_received,
        PublishTime = publishTime,
        CloudEventTime = cloudEventTime,
    };

    private sealed class HangingCollector(string name) : ICollector
    {
        public string Name => name;

        public async Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            throw new InvalidOperationException("not reached");
        }
    }

    private sealed class QuickCollector(string name) : ICollector
    {
        public string Name => name;

        public Task<CollectorReport> CollectAsync(CollectionContext context, IEvidenceWriter evidence, CancellationToken cancellationToken) =>
            Task.FromResult(new CollectorReport { Name = Name, Status = CollectorStatus.Ok, ItemCount = 1 });
    }
}
