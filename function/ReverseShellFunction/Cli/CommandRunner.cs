using System.CommandLine;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary>
/// Runs a CLI command with the same services as the HTTP function (store, pipeline, collectors) and turns
/// failures into the documented exit codes with one clear line on stderr.
/// </summary>
public static class CommandRunner
{
    public static Task<int> RunAsync(
        ParseResult parse,
        StoreOptions store,
        Func<IServiceProvider, TextWriter, CancellationToken, Task<int>> action,
        CancellationToken cancellationToken) =>
        RunAsync(parse, store, action, readOnly: false, cancellationToken);

    /// <summary>
    /// For commands that only read the store (list, show, get, verify): a store that cannot be read is an
    /// access error (exit 2), not a failed write that could be retried (exit 3).
    /// </summary>
    public static Task<int> RunReadOnlyAsync(
        ParseResult parse,
        StoreOptions store,
        Func<IServiceProvider, TextWriter, CancellationToken, Task<int>> action,
        CancellationToken cancellationToken) =>
        RunAsync(parse, store, action, readOnly: true, cancellationToken);

    private static async Task<int> RunAsync(
        ParseResult parse,
        StoreOptions store,
        Func<IServiceProvider, TextWriter, CancellationToken, Task<int>> action,
        bool readOnly,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(action);
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            // The root lets unknown tokens through for the ASP.NET host (serve); here they are typos.
            if (parse.UnmatchedTokens.Count > 0)
            {
                throw new UsageException($"Unrecognized argument(s): {string.Join(" ", parse.UnmatchedTokens.Select(t => Audit.AuditText.Clean(t, 100)))}");
            }

            var settings = store.Settings(parse);
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.AddFunctionConsole(settings.CloudLoggingJson, toStandardError: true)
                .SetMinimumLevel(LogLevel.Warning));
            services.AddEvidencePipeline(settings);
            await using var provider = services.BuildServiceProvider();
            return await action(provider, output, cancellationToken);
        }
        catch (Exception ex) when (ex is UsageException or InvalidOperationException)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (EvidenceStoreException ex)
        {
            await error.WriteLineAsync($"error: the evidence store failed: {ex.Message}");
            return readOnly ? ExitCodes.Usage : ExitCodes.StoreFailure;
        }
        catch (Exception ex) when (readOnly && ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: could not read the evidence store or write the output: {ex.Message}");
            return ExitCodes.Usage;
        }
    }
}
