using System.CommandLine;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Hosting;

namespace ReverseShellFunction.Tests.Support;

/// <summary>What one in-process run of the executable printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the real command line in process against a store under test, with stdout and stderr captured. The
/// default exception handler is off, so a bug surfaces as an exception rather than as a plausible exit code 1.
/// </summary>
internal static class CliRun
{
    public static Task<CliResult> RunAsync(StoreUnderTest store, params string[] args) =>
        RunAsync(store, new Dictionary<string, string>(), args);

    /// <summary>With more variables in the environment the CLI sees, over the store's own.</summary>
    public static async Task<CliResult> RunAsync(StoreUnderTest store, IReadOnlyDictionary<string, string> variables, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        var root = CommandLineApp.Create(HostEnvironment.Isolated(name => variables.TryGetValue(name, out var value) ? value : store.Environment(name)));
        var exitCode = await CommandLineApp.InvokeAsync(root, [.. args, .. store.StoreArgs], configuration, CancellationToken.None);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
