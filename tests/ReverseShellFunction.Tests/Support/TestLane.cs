namespace ReverseShellFunction.Tests.Support;

/// <summary>
/// Which lane the tests run in. The default (<c>dotnet test ReverseShellFunction.sln</c>, the README's command)
/// runs the fuzz and tamper suites on a fixed sample: the same seeds, the first positions or deliveries of the
/// full sequence, so every run checks the same cases and a failure reproduces. <c>RSF_FULL_TESTS=1</c> (set by
/// .ci/run) runs the full counts and the Pub/Sub emulator's end-to-end tests.
/// </summary>
internal static class TestLane
{
    public const string Variable = "RSF_FULL_TESTS";

    /// <summary>The lane is a property of the test run, not of the product: read from the runner's environment.</summary>
    public static bool Full { get; } = Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary><paramref name="full"/> in the full lane, else the fixed <paramref name="sample"/>.</summary>
    public static int Count(int full, int sample) => Full ? full : sample;

    /// <summary>Said in the tests' output, so a reader knows which counts ran.</summary>
    public static string Describe(int count) => Full ? $"{count} (full count, {Variable}=1)" : $"{count} (default lane's fixed sample; {Variable}=1 for the full count)";
}
