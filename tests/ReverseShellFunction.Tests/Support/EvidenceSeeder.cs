using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Support;

/// <summary>
/// Fills a store the way production does: replays notifications through the real pipeline (intake, rules,
/// bundle writer, store), with hand-written collectors instead of the Google APIs.
/// </summary>
internal static class EvidenceSeeder
{
    public static async Task<BundleId> ReplayAsync(IEvidenceStore store, SampleEvent sample, IReadOnlyList<ICollector>? collectors = null)
    {
        var rules = Defaults.Rules with { Categories = ["Reverse Shell", sample.Category] };
        var (processor, _) = Pipelines.Build(store, collectors ?? FakeCollector.StandardSet(), rules, toolVersion: "1.0.0");
        var body = sample.ToNotification();
        var result = await processor.ProcessAsync(
            RawDelivery.FromBytes(new Dictionary<string, string> { ["content-type"] = "application/json" }, body, DateTimeOffset.UtcNow, DeliverySource.Replay, "test"),
            CancellationToken.None);
        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        return BundleId.Parse(result.BundleId!);
    }
}
