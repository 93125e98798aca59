using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Support;

/// <summary>The intake pipeline composed by hand around a store, a fixed clock and chosen collectors.</summary>
internal sealed class PipelineHarness
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 21, 14, 42, TimeSpan.Zero);

    public PipelineHarness(IEvidenceStore store, IEnumerable<ICollector>? collectors = null, RulesOptions? rules = null, CollectionOptions? collection = null, IBundleNotifier? notifier = null)
    {
        Store = store;
        (Processor, Function) = Pipelines.Build(store, collectors, rules, collection, new FixedTimeProvider(Now), notifier: notifier);
    }

    public IEvidenceStore Store { get; }

    public EvidenceFunction Function { get; }

    public IntakeProcessor Processor { get; }

    public Task<PipelineResult> PushAsync(byte[] notification, string messageId = "1001") =>
        Processor.ProcessAsync(RawDeliveries.Push(Notifications.PushBody(notification, messageId)), CancellationToken.None);
}
