namespace ReverseShellFunction.Tests.Support;

/// <summary>A clock that always says the same time, so bundles built in tests are byte-for-byte repeatable.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
