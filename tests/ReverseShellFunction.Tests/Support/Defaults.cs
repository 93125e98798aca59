using ReverseShellFunction.Collection;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Rules;

namespace ReverseShellFunction.Tests.Support;

/// <summary>
/// The option records as an empty environment gives them: the settings catalog's defaults, the one place they
/// are written. A test that needs another value takes these <c>with</c> it.
/// </summary>
internal static class Defaults
{
    public static FunctionSettings Settings { get; } = FunctionSettings.From(_ => null);

    public static CollectionOptions Collection => Settings.Collection;

    public static RulesOptions Rules => Settings.Rules;

    public static DeliveryOptions Delivery => Settings.Delivery;

    public static CompletionOptions Completion => Settings.CompletionTiming;
}
