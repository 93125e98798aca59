namespace ReverseShellFunction.Benchmarks.Scenarios;

internal static class TasksBurstScenario
{
    public static Task<ScenarioResult> RunAsync(BenchContext context) => throw new NotImplementedException();
}
