namespace ReverseShellFunction.Fakes;

/// <summary>
/// Runs the fakes on their own for a local demo. A named class rather than top-level statements, so it does
/// not clash with the function's generated <c>Program</c> in the test project.
/// </summary>
public static class FakesProgram
{
    public static int Main() => 0;
}
