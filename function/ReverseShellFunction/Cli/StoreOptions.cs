using System.CommandLine;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.GoogleApis.Auth;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Cli;

/// <summary>
/// <c>--dir</c> and <c>--bucket</c>, shared by every command that reads or writes the store. Without them the
/// store comes from the environment (EVIDENCE_BUCKET, else EVIDENCE_DIR, else ./evidence).
/// It runs a CLI command with the services it needs: a command that writes (replay, complete) those of the HTTP
/// function (store, pipeline, collectors), from every setting; a read-only one (list, show, get, verify) a reader
/// only, from the store's settings alone. Failures become the documented exit codes with one clear line on stderr. Only a bug, which no rule here
/// names, leaves as an exception (exit 70, with its stack trace, from <see cref="CommandLineApp"/>).
/// </summary>
public sealed class StoreOptions
{
    /// <summary>The tests pass their own environment instead of the process's.</summary>
    internal StoreOptions(HostEnvironment environment) => Environment = environment;

    public HostEnvironment Environment { get; }

    public Option<string?> Dir { get; } = new("--dir") { Description = "Use the evidence folder at this path", Recursive = true };

    public Option<string?> Bucket { get; } = new("--bucket") { Description = "Use this Cloud Storage bucket", Recursive = true };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Dir);
        command.Options.Add(Bucket);
    }

    /// <summary>
    /// Runs <paramref name="action"/>. With <paramref name="readOnly"/>, for commands that only read the store (list,
    /// show, get, verify): a store that cannot be read is an access error (exit 2), not a failed write that could be
    /// retried (exit 3). A store that does not exist is an error too: an audit of a mistyped path must not read as
    /// "nothing wrong".
    /// </summary>
    public async Task<int> RunAsync(
        ParseResult parse,
        bool readOnly,
        Func<IServiceProvider, TextWriter, CancellationToken, Task<int>> action,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(action);
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            await using var provider = readOnly ? ComposeReader(Reader(parse)) : Compose(Settings(parse));
            return await action(provider, output, cancellationToken);
        }
        catch (Exception ex) when (ex is UsageException or EvidenceStoreConfigurationException)
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

    /// <summary>Settings from the environment, with the store overridden by the command line.</summary>
    private FunctionSettings Settings(ParseResult parse)
    {
        var (dir, bucket) = Given(parse);
        FunctionSettings settings;
        try
        {
            settings = FunctionSettings.From(Environment.Variable);
        }
        catch (InvalidOperationException ex)
        {
            // FunctionSettings reports a bad variable this way, naming it.
            throw new UsageException(ex.Message);
        }

        return dir is not null ? settings with { EvidenceDir = dir, EvidenceBucket = null }
            : bucket is not null ? settings with { EvidenceBucket = bucket }
            : settings;
    }

    /// <summary>
    /// For the read-only commands: the store's settings only, with the command line's over them, checked to name an
    /// evidence store.
    /// </summary>
    private ReaderSettings Reader(ParseResult parse)
    {
        var (dir, bucket) = Given(parse);
        var reader = ReaderSettings.From(Environment.Variable, dir, bucket);

        // verify --extracted reads a downloaded folder, offline: it needs no store.
        var offline = parse.Tokens.Any(t => t.Type == System.CommandLine.Parsing.TokenType.Option && t.Value == "--extracted");
        if (!offline && reader.EvidenceBucket is null && StoreProblem(reader.EvidenceDir) is { } problem)
        {
            throw new UsageException(problem);
        }

        return reader;
    }

    private (string? Dir, string? Bucket) Given(ParseResult parse)
    {
        var dir = parse.GetValue(Dir);
        var bucket = parse.GetValue(Bucket);
        if (dir is not null && bucket is not null)
        {
            throw new UsageException("Give --dir or --bucket, not both.");
        }

        if (dir is not null && File.Exists(dir))
        {
            throw new UsageException($"--dir {dir} is a file, not an evidence folder.");
        }

        return (dir, bucket);
    }

    /// <summary>
    /// Why a folder is not an evidence store (it is absent, or has no index/, bundles/ or quarantine/), or null when it is one. An audit
    /// pointed at the wrong folder (an extracted case, the bundles/ folder itself) must not read "nothing wrong".
    /// </summary>
    private static string? StoreProblem(string folder)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            return $"There is no evidence folder at {root}: give --dir PATH or --bucket NAME (or set EVIDENCE_DIR / EVIDENCE_BUCKET).";
        }

        // A store that has only quarantined so far (a first replay of a bad file) is a store too.
        if (Directory.Exists(Path.Combine(root, BundleLayout.IndexPrefix)) || Directory.Exists(Path.Combine(root, BundleLayout.BundlesPrefix))
            || Directory.Exists(Path.Combine(root, BundleLayout.QuarantinePrefix)))
        {
            return null;
        }

        var extracted = File.Exists(Path.Combine(root, Audit.CaseFolder.FileName)) || File.Exists(Path.Combine(root, BundleLayout.Entries.Manifest))
            || Directory.Exists(Path.Combine(root, Audit.CaseFolder.PartFolder(1)));
        return $"{root} is not an evidence store: it has no {BundleLayout.IndexPrefix}, {BundleLayout.BundlesPrefix} or {BundleLayout.QuarantinePrefix} folder (nothing was ever stored there, or it is another folder). "
            + (extracted
                ? $"It looks like a folder that get extracted: check it with verify --extracted {root}."
                : "Give the folder the function writes to (--dir PATH), or --bucket NAME.");
    }

    /// <summary>The services, with the store built: a bucket name, emulator host or credential problem surfaces here as a usage error.</summary>
    private ServiceProvider Compose(FunctionSettings settings) =>
        Build(settings.CloudLoggingJson, services => services.AddEvidencePipeline(settings));

    /// <summary>
    /// A reader only: the store, a clock, and the Google API client that fetches Cloud KMS public keys when a
    /// command trusts a KMS key. Nothing of the pipeline, the collectors or the completion is built.
    /// </summary>
    private ServiceProvider ComposeReader(ReaderSettings reader) =>
        Build(reader.CloudLoggingJson, services => services
            .AddSingleton(reader)
            .AddGoogleApiClient()
            .AddEvidenceStore(reader.EvidenceDir, reader.EvidenceBucket, reader.StorageEmulatorHost));

    private ServiceProvider Build(bool cloudLoggingJson, Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        // Warnings and worse only, except where credentials come from (or that there are none): the one line a
        // person replaying on a laptop needs to read the "not collected" in the result.
        services.AddLogging(logging => logging.AddFunctionConsole(cloudLoggingJson, toStandardError: true)
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter(typeof(ApplicationDefaultTokenSource).FullName, LogLevel.Information));
        services.AddSingleton(Environment.Credentials);
        services.AddSingleton(MissingCredentialsNotice.Information);
        ServiceProvider? provider = null;
        try
        {
            register(services);
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
