using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collect;
using ReverseShellFunction.Intake;
using ReverseShellFunction.Pipeline;
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
        var rules = new CollectionRules(new RulesOptions { Categories = ["Reverse Shell", sample.Category] });
        var runner = new CollectionRunner(collectors ?? FakeCollector.StandardSet(), new CollectionOptions(), TimeProvider.System, NullLogger<CollectionRunner>.Instance);
        var function = new EvidenceFunction(rules, runner, store, TimeProvider.System, new ToolInfo("ReverseShellFunction.Tests", "1.0.0"), NullLogger<EvidenceFunction>.Instance);
        var processor = new IntakeProcessor(function, new QuarantineWriter(store, NullLogger<QuarantineWriter>.Instance));
        var body = sample.ToNotification();
        var result = await processor.ProcessAsync(
            new RawDelivery
            {
                Headers = new Dictionary<string, string> { ["content-type"] = "application/json" },
                Body = body,
                BodyLength = body.LongLength,
                ReceivedAt = DateTimeOffset.UtcNow,
                Origin = "replay:test",
            },
            CancellationToken.None);
        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        return BundleId.Parse(result.BundleId!);
    }
}
