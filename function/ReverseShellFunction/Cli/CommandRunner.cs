using System.CommandLine;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary>
/// Runs a CLI command with the same services as the HTTP function (store, pipeline, collectors) and turns
/// failures into the documented exit codes with one clear line on stderr. Only a bug, which no rule here
/// names, leaves as an exception (exit 70, with its stack trace, from <see cref="CommandLineApp"/>).
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
    /// access error (exit 2), not a failed write that could be retried (exit 3). A store that does not exist
    /// is an error too: an audit of a mistyped path must not read as "nothing wrong".
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
            FunctionSettings settings;
            try
            {
                settings = store.Settings(parse);
            }
            catch (InvalidOperationException ex)
            {
                // FunctionSettings reports a bad variable this way, naming it.
                throw new UsageException(ex.Message);
            }

            // verify --extracted reads a downloaded folder, offline: it needs no store.
            var offline = parse.Tokens.Any(t => t.Type == System.CommandLine.Parsing.TokenType.Option && t.Value == "--extracted");
            if (readOnly && !offline && settings.EvidenceBucket is null && !Directory.Exists(settings.EvidenceDir))
            {
                throw new UsageException($"There is no evidence folder at {Path.GetFullPath(settings.EvidenceDir)}: give --dir PATH or --bucket NAME (or set EVIDENCE_DIR / EVIDENCE_BUCKET).");
            }

            if (readOnly && !offline && settings.EvidenceBucket is null && NotAStore(settings.EvidenceDir) is { } notAStore)
            {
                throw new UsageException(notAStore);
            }

            await using var provider = Compose(settings, store.Environment);
            return await action(provider, output, cancellationToken);
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (EvidenceStoreConfigurationException ex)
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

    /// <summary>
    /// Why a folder is not an evidence store (it has no index/, bundles/ or quarantine/), or null when it is one. An audit
    /// pointed at the wrong folder (an extracted case, the bundles/ folder itself) must not read "nothing wrong".
    /// </summary>
    private static string? NotAStore(string folder)
    {
        var root = Path.GetFullPath(folder);
        // A store that has only quarantined so far (a first replay of a bad file) is a store too.
        if (Directory.Exists(Path.Combine(root, "index")) || Directory.Exists(Path.Combine(root, "bundles")) || Directory.Exists(Path.Combine(root, "quarantine")))
        {
            return null;
        }

        var extracted = File.Exists(Path.Combine(root, Audit.CaseFolder.FileName)) || File.Exists(Path.Combine(root, Bundle.Manifest.FileName))
            || Directory.Exists(Path.Combine(root, Audit.CaseFolder.PartFolder(1)));
        return $"{root} is not an evidence store: it has no index/, bundles/ or quarantine/ folder (nothing was ever stored there, or it is another folder). "
            + (extracted
                ? $"It looks like a folder that get extracted: check it with verify --extracted {root}."
                : "Give the folder the function writes to (--dir PATH), or --bucket NAME.");
    }

    /// <summary>The services, with the store built: a bucket name, emulator host or credential problem surfaces here as a usage error.</summary>
    private static ServiceProvider Compose(FunctionSettings settings, HostEnvironment environment)
    {
        var services = new ServiceCollection();
        // Warnings and worse only, except where credentials come from (or that there are none): the one line a
        // person replaying on a laptop needs to read the "not collected" in the result.
        services.AddLogging(logging => logging.AddFunctionConsole(settings.CloudLoggingJson, toStandardError: true)
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter(typeof(Collect.Auth.ApplicationDefaultTokenSource).FullName, LogLevel.Information));
        services.AddSingleton(environment.Credentials);
        services.AddSingleton(Collect.Auth.MissingCredentialsNotice.Information);
        ServiceProvider? provider = null;
        try
        {
            services.AddEvidencePipeline(settings);
            provider = services.BuildServiceProvider();
            _ = provider.GetRequiredService<IEvidenceStore>();
            return provider;
        }
        catch (InvalidOperationException ex)
        {
            provider?.Dispose();
            throw new UsageException(ex.Message);
        }
        catch
        {
            provider?.Dispose();
            throw;
        }
    }
}
