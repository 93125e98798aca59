using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>The audit command suite against the folder store (<c>--dir</c>).</summary>
public sealed class LocalAuditCommandsTest : AuditCommandsTest
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => Task.FromResult<StoreUnderTest>(new LocalStoreUnderTest());
}
