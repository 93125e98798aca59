namespace ReverseShellFunction.Tests.Collect.Support;

/// <summary>
/// Tests that change process-wide environment variables (GCE_METADATA_HOST, HOME). xUnit runs this collection
/// alone, after the parallel ones, so no other test sees the changed values.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentTests
{
    public const string Name = "process environment";
}
