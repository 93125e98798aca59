using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Support;

/// <summary>
/// The one way the tests compose the pipeline by hand (intake, rules, collection, bundle, store): around any
/// store, with chosen collectors and a clock. Tests of the whole app use <see cref="Collect.Support.PipelineHarness"/>
/// or <see cref="FunctionHost"/>, which go through the app's own composition.
/// </summary>
internal static class Pipelines
{
    public static (IntakeProcessor Processor, EvidenceFunction Function) Build(
        IEvidenceStore store,
        IEnumerable<ICollector>? collectors = null,
        RulesOptions? rules = null,
        CollectionOptions? collection = null,
        TimeProvider? time = null,
        string toolVersion = "test",
        IBundleNotifier? notifier = null,
        DeliveryOptions? delivery = null)
    {
        time ??= TimeProvider.System;
        var runner = new CollectionRunner(collectors ?? [], collection ?? Defaults.Collection, time, NullLogger<CollectionRunner>.Instance);
        var function = new EvidenceFunction(
            new CollectionRules(rules ?? Defaults.Rules),
            runner,
            store,
            new PartWriting(new ToolInfo("ReverseShellFunction", toolVersion)),
            time,
            NullLogger<EvidenceFunction>.Instance,
            new PipelineTiming { Completion = Defaults.Completion, Delivery = delivery ?? Defaults.Delivery },
            new PartFollowUps(Notifier: notifier));
        var processor = new IntakeProcessor(function, new QuarantineWriter(store, NullLogger<QuarantineWriter>.Instance), time);
        return (processor, function);
    }
}
