namespace ReverseShellFunction.Tests.Store;

/// <summary>Tests that must not share the process with others while they run (memory measurements).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Serial";
}
